// Small cryptographic helpers over OpenSSL's libcrypto, shared by the API's signed tokens
// (api/auth.h) and the web pages' session cookies (web/session_cookie.h): HMAC-SHA256, SHA-256
// hex, base64url without padding (RFC 4648 §5) and a comparison that takes the same time
// whatever matches.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace qrt {

// Raw 32-byte HMAC-SHA256 of `data` under `key` (an empty key is legal HMAC).
std::string hmac_sha256(std::string_view key, std::string_view data);
// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// RFC 4648 §5 alphabet, no padding. Decoding refuses padding, other characters and a length of
// 1 mod 4 (invalid_argument naming the position).
std::string base64url_encode(std::string_view bytes);
Result<std::string> base64url_decode(std::string_view text);

// Compares without an early exit, so the time taken does not tell how many bytes matched
// (the lengths may differ: then false, in time independent of the contents).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace qrt
