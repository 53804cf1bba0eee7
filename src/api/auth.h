// Credentials on the wire: the Authorization header's two schemes (`Bearer <jwt>` and
// `apikey <key>`), and qrt's access tokens: JWTs (RFC 7519) signed with HMAC-SHA256 over the
// runtime's secret, with payload {"iat","exp","sub": user id,"iss":"qrt"}. The Python client
// decodes the token without verifying it (PyJWT) to read exp/iat; qrt verifies the signature in
// constant time, insists on alg HS256 (never "none"), and on exp.
//
// The small crypto helpers (HMAC-SHA256, SHA-256 hex, base64url, constant-time comparison) live
// in base/crypto.h and are named here too.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/crypto.h"
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

// The crypto helpers moved to base/crypto.h (the web pages' cookies use them too); the names
// stay here for the API's callers.
using qrt::base64url_decode;
using qrt::base64url_encode;
using qrt::constant_time_equal;
using qrt::hmac_sha256;
using qrt::sha256_hex;

}  // namespace qrt::api
