// Base64 (RFC 4648 §4: the standard alphabet A-Z a-z 0-9 + /, with '=' padding), as Python's
// base64.standard_b64encode writes it and qiskit-ibm-runtime puts in its JSON.
//
// Decoding is strict about the alphabet and the padding, so that a corrupt payload is reported
// where it is broken: every character outside the alphabet is an error naming its position, except
// that line breaks ('\n', '\r') are skipped (MIME-style wrapped text decodes to the same bytes).
// The input length (line breaks left out) must be a multiple of 4; '=' may appear only as the last
// one or two characters. Bits left over in the last group are ignored, as Python does.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace qrt {

// The padded base64 text of `bytes`.
std::string base64_encode(std::string_view bytes);

// The bytes that `text` encodes. Errors (invalid_argument): a character outside the alphabet
// ("base64: invalid character '#' (0x23) at position 17"), misplaced or excess padding, a length
// that is not a multiple of 4.
Result<std::string> base64_decode(std::string_view text);

}  // namespace qrt
