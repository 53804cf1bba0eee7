#include "api/auth.h"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>

#include "api/json_writer.h"

namespace qrt::api {
namespace {

// base64url of {"alg":"HS256","typ":"JWT"}: the header of every qrt token (PyJWT writes the same).
constexpr std::string_view kHeaderB64 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

Status malformed(std::string_view why) {
    return {ErrorCode::kUnauthenticated, fmt::format("malformed token: {}", why)};
}

// A whole number of seconds since the epoch from a JSON number (JWT NumericDate).
std::optional<std::int64_t> numeric_date(const boost::json::value* v) {
    if (v == nullptr) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX / 1'000'000)) {
        return static_cast<std::int64_t>(v->get_uint64());
    }
    if (v->is_double()) {
        const double d = v->get_double();
        if (d >= 0 && d < 9.2e12) return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

// Parses a decoded JWT segment as a JSON object (small: it came through the token length cap).
const boost::json::object* parse_segment(std::string_view json, boost::json::value& storage) {
    boost::system::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 8;
    storage = boost::json::parse(json, ec, {}, options);
    if (ec || !storage.is_object()) return nullptr;
    return &storage.get_object();
}

}  // namespace

std::string sign_token(const TokenClaims& claims, std::string_view secret) {
    using std::chrono::floor;
    using std::chrono::seconds;
    JsonWriter payload(128);
    payload.begin_object();
    payload.key("iat").integer(floor<seconds>(claims.issued_at.time_since_epoch()).count());
    payload.key("exp").integer(floor<seconds>(claims.expires_at.time_since_epoch()).count());
    payload.key("sub").string(claims.subject);
    payload.key("iss").string(kTokenIssuer);
    payload.end_object();
    std::string token(kHeaderB64);
    token.push_back('.');
    token += base64url_encode(payload.str());
    const std::string signature = hmac_sha256(secret, token);
    token.push_back('.');
    token += base64url_encode(signature);
    return token;
}

Result<TokenClaims> verify_token(std::string_view token, std::string_view secret, Timestamp now) {
    if (token.size() > kMaxTokenLength) return malformed("longer than 4096 bytes");
    const std::size_t dot1 = token.find('.');
    const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
        return malformed("expected three base64url parts separated by '.'");
    }
    const std::string_view header_b64 = token.substr(0, dot1);
    const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
    const std::string_view signature_b64 = token.substr(dot2 + 1);

    Result<std::string> header_json = base64url_decode(header_b64);
    if (!header_json.ok()) return malformed("header: " + header_json.status().message());
    boost::json::value header_storage;
    const boost::json::object* header = parse_segment(*header_json, header_storage);
    if (header == nullptr) return malformed("header is not a JSON object");
    const boost::json::value* alg = header->if_contains("alg");
    if (alg == nullptr || !alg->is_string() || alg->get_string() != "HS256") {
        return Status{ErrorCode::kUnauthenticated,
                      "token algorithm must be HS256 (qrt issues and accepts only its own tokens)"};
    }
    if (header->contains("crit")) return malformed("unsupported critical header parameters");

    Result<std::string> signature = base64url_decode(signature_b64);
    if (!signature.ok()) return malformed("signature: " + signature.status().message());
    const std::string expected = hmac_sha256(secret, token.substr(0, dot2));
    if (!constant_time_equal(*signature, expected)) {
        return Status{ErrorCode::kUnauthenticated, "token signature does not match"};
    }

    // The payload is trusted from here on: we signed it.
    Result<std::string> payload_json = base64url_decode(payload_b64);
    if (!payload_json.ok()) return malformed("payload: " + payload_json.status().message());
    boost::json::value payload_storage;
    const boost::json::object* payload = parse_segment(*payload_json, payload_storage);
    if (payload == nullptr) return malformed("payload is not a JSON object");
    const boost::json::value* iss = payload->if_contains("iss");
    if (iss == nullptr || !iss->is_string() || iss->get_string() != kTokenIssuer) {
        return malformed("issuer is not qrt");
    }
    const boost::json::value* sub = payload->if_contains("sub");
    if (sub == nullptr || !sub->is_string() || sub->get_string().empty()) {
        return malformed("no subject");
    }
    const std::optional<std::int64_t> iat = numeric_date(payload->if_contains("iat"));
    const std::optional<std::int64_t> exp = numeric_date(payload->if_contains("exp"));
    if (!iat || !exp) return malformed("iat and exp must be whole seconds since 1970");

    TokenClaims claims;
    claims.subject = std::string(sub->get_string());
    claims.issued_at = Timestamp(std::chrono::seconds(*iat));
    claims.expires_at = Timestamp(std::chrono::seconds(*exp));
    if (now >= claims.expires_at) {
        return Status{ErrorCode::kUnauthenticated,
                      fmt::format("token expired at {}; get a new one from POST /identity/token",
                                  format_iso8601(claims.expires_at))};
    }
    return claims;
}

Result<Credential> parse_authorization(std::string_view header) {
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    header = trim(header);
    if (header.empty()) return Credential{};
    const std::size_t space = header.find_first_of(" \t");
    const std::string_view scheme = header.substr(0, space);
    const std::string_view value =
        space == std::string_view::npos ? std::string_view{} : trim(header.substr(space));
    auto scheme_is = [&](std::string_view want) {
        if (scheme.size() != want.size()) return false;
        for (std::size_t i = 0; i < want.size(); ++i) {
            char c = scheme[i];
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            if (c != want[i]) return false;
        }
        return true;
    };
    CredentialKind kind = CredentialKind::kNone;
    if (scheme_is("bearer")) {
        kind = CredentialKind::kBearer;
    } else if (scheme_is("apikey")) {
        kind = CredentialKind::kApiKey;
    } else {
        return Status{ErrorCode::kUnauthenticated,
                      "Authorization header must be \"Bearer <token>\" or \"apikey <key>\""};
    }
    if (value.empty()) {
        return Status{ErrorCode::kUnauthenticated,
                      fmt::format("Authorization header has an empty {}",
                                  kind == CredentialKind::kBearer ? "token" : "API key")};
    }
    return Credential{kind, value};
}

}  // namespace qrt::api
