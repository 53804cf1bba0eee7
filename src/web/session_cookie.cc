#include "web/session_cookie.h"

#include <fmt/format.h>

#include <chrono>
#include <vector>

#include "base/crypto.h"
#include "base/rng.h"

namespace qrt::web {
namespace {

constexpr std::size_t kMaxCookieLength = 1024;

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    while (true) {
        const std::size_t at = s.find(sep);
        parts.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return parts;
        s.remove_prefix(at + 1);
    }
}

std::string random_nonce() {
    unsigned char bytes[16];
    os_random_bytes(bytes, sizeof bytes);
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

Status bad_cookie(std::string_view why) {
    return {ErrorCode::kUnauthenticated, fmt::format("session cookie {}; log in again", why)};
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "http://host:port" -> "host:port"; nullopt when it is no http(s) origin.
std::optional<std::string_view> origin_host(std::string_view origin) {
    for (std::string_view scheme : {"http://", "https://"}) {
        if (origin.substr(0, scheme.size()) == scheme) {
            std::string_view rest = origin.substr(scheme.size());
            if (rest.empty() || rest.find('/') != std::string_view::npos) return std::nullopt;
            return rest;
        }
    }
    return std::nullopt;
}

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

}  // namespace

SessionCookies::SessionCookies(std::string_view secret, Duration lifetime)
    : cookie_key_(hmac_sha256(secret, "qrt web session cookie v1")),
      csrf_key_(hmac_sha256(secret, "qrt web csrf token v1")),
      lifetime_(lifetime) {}

std::string SessionCookies::issue(const std::string& user_id, Timestamp now) const {
    const auto exp = std::chrono::floor<std::chrono::seconds>(now + lifetime_);
    const std::string payload = base64url_encode(
        fmt::format("v1\n{}\n{}\n{}", user_id, exp.time_since_epoch().count(), random_nonce()));
    return payload + "." + base64url_encode(hmac_sha256(cookie_key_, payload));
}

Result<CookieClaims> SessionCookies::verify(std::string_view value, Timestamp now) const {
    if (value.empty()) return bad_cookie("missing");
    if (value.size() > kMaxCookieLength) return bad_cookie("too long");
    const std::size_t dot = value.find('.');
    if (dot == std::string_view::npos) return bad_cookie("malformed");
    const std::string_view payload_b64 = value.substr(0, dot);
    // Compared as text: only the canonical encoding of the signature is accepted.
    const std::string_view signature = value.substr(dot + 1);
    if (!constant_time_equal(signature, base64url_encode(hmac_sha256(cookie_key_, payload_b64)))) {
        return bad_cookie("signature does not match");
    }
    auto payload = base64url_decode(payload_b64);
    if (!payload.ok()) return bad_cookie("malformed");
    const auto parts = split(*payload, '\n');
    if (parts.size() != 4 || parts[0] != "v1" || parts[1].empty()) {
        return bad_cookie("malformed");
    }
    long long exp = 0;
    for (char c : parts[2]) {
        if (c < '0' || c > '9' || exp > 1'000'000'000'000LL) return bad_cookie("malformed");
        exp = exp * 10 + (c - '0');
    }
    CookieClaims claims;
    claims.user_id = std::string(parts[1]);
    claims.expires = Timestamp(std::chrono::seconds(exp));
    claims.nonce = std::string(parts[3]);
    if (now >= claims.expires) return bad_cookie("expired");
    std::lock_guard lock(mu_);
    if (revoked_.contains(claims.nonce)) return bad_cookie("was logged out");
    return claims;
}

void SessionCookies::revoke(std::string_view value, Timestamp now) {
    auto claims = verify(value, now);
    std::lock_guard lock(mu_);
    std::erase_if(revoked_, [&](const auto& entry) { return entry.second <= now; });
    if (claims.ok()) revoked_.emplace(claims->nonce, claims->expires);
}

std::string SessionCookies::csrf_token(std::string_view value) const {
    return base64url_encode(hmac_sha256(csrf_key_, value));
}

bool SessionCookies::csrf_ok(std::string_view value, std::string_view token) const {
    if (value.empty() || token.empty()) return false;
    return constant_time_equal(csrf_token(value), token);
}

std::string SessionCookies::set_cookie_header(std::string_view value) const {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(lifetime_).count();
    return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict", kCookieName, value,
                       seconds);
}

std::string SessionCookies::clear_cookie_header() {
    return fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict", kCookieName);
}

std::string_view cookie_value(std::string_view header, std::string_view name) {
    for (std::string_view part : split(header, ';')) {
        part = trim(part);
        const std::size_t eq = part.find('=');
        if (eq == std::string_view::npos) continue;
        if (trim(part.substr(0, eq)) == name) {
            std::string_view v = trim(part.substr(eq + 1));
            if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
            return v;
        }
    }
    return {};
}

Status check_same_origin(std::string_view origin, std::string_view sec_fetch_site,
                         std::string_view host) {
    if (!sec_fetch_site.empty() && !iequal(sec_fetch_site, "same-origin") &&
        !iequal(sec_fetch_site, "none")) {
        return {ErrorCode::kPermissionDenied,
                fmt::format("cross-site request refused (Sec-Fetch-Site: {})",
                            sec_fetch_site.substr(0, 32))};
    }
    if (!origin.empty()) {
        const auto from = origin_host(origin);
        if (!from || host.empty() || !iequal(*from, host)) {
            return {ErrorCode::kPermissionDenied,
                    "cross-site request refused (Origin does not "
                    "match the host)"};
        }
    }
    return {};
}

}  // namespace qrt::web
