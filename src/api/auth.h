// Credentials on the wire: the Authorization header's two schemes (`Bearer <jwt>` and
// `apikey <key>`), and qrt's access tokens: JWTs (RFC 7519) signed with HMAC-SHA256 over the
// runtime's secret, with payload {"iat","exp","sub": user id,"iss":"qrt"}. The Python client
// decodes the token without verifying it (PyJWT) to read exp/iat; qrt verifies the signature in
// constant time, insists on alg HS256 (never "none"), and on exp.
//
// Also the small crypto helpers the API needs (OpenSSL libcrypto): HMAC-SHA256, SHA-256 hex,
// base64url without padding, constant-time comparison.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "base/time.h"

namespace qrt::api {

inline constexpr std::string_view kTokenIssuer = "qrt";
// Tokens longer than this are refused unread.
inline constexpr std::size_t kMaxTokenLength = 4096;

struct TokenClaims {
    std::string subject;  // the user id
    Timestamp issued_at{};
    Timestamp expires_at{};
};

// header.payload.signature, base64url without padding; timestamps in whole seconds (floored).
std::string sign_token(const TokenClaims& claims, std::string_view secret);

// Checks the shape, alg HS256, the signature (constant time), iss, sub and exp > now.
// unauthenticated with the reason otherwise ("token expired at 2026-...Z", "token signature
// does not match", "malformed token: ...").
Result<TokenClaims> verify_token(std::string_view token, std::string_view secret, Timestamp now);

enum class CredentialKind { kNone, kBearer, kApiKey };

struct Credential {
    CredentialKind kind = CredentialKind::kNone;
    std::string_view value;  // the token or the key (a view into the header)
};

// Parses an Authorization header: "Bearer <token>" or "apikey <key>" (scheme case-insensitive,
// one or more spaces). An empty header gives kNone; any other scheme or an empty value:
// unauthenticated.
Result<Credential> parse_authorization(std::string_view header);

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// RFC 4648 §5 alphabet, no padding. Decoding refuses padding, other characters and a length of
// 1 mod 4 (invalid_argument).
std::string base64url_encode(std::string_view bytes);
Result<std::string> base64url_decode(std::string_view text);

// Compares without an early exit, so the time taken does not tell how many bytes matched.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace qrt::api
