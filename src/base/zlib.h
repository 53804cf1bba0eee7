// zlib streams (RFC 1950: the 2-byte header, deflate data, Adler-32), as Python's zlib.compress
// writes them: qiskit-ibm-runtime compresses every QPY blob this way before base64.
//
// Decompression has a hard cap on the output size, checked while inflating, so a small
// "zip bomb" costs at most `max_output` bytes of memory. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace qrt {

// The zlib stream of `bytes` at `level` (0-9; 6 is zlib's and Python's default).
std::string zlib_compress(std::string_view bytes, int level = 6);

// The bytes that the zlib stream `data` holds, which must be exactly one complete stream.
// Errors: invalid_argument for a stream that is not zlib, corrupt (bad header, bad deflate data,
// checksum mismatch; zlib's own reason is quoted with the input offset), truncated, or followed by
// extra bytes; resource_exhausted when the output would exceed `max_output` bytes.
Result<std::string> zlib_decompress(std::string_view data, std::size_t max_output);

}  // namespace qrt
