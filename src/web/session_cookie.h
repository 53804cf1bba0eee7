// The web pages' login state and their protection against cross-site requests.
//
// Login exchanges an API key for a session cookie: `qrt_session=<payload>.<signature>`, where
// payload = base64url("v1\n<user id>\n<expiry, unix seconds>\n<nonce>") and signature =
// base64url(HMAC-SHA256(key, payload)), the key derived from the server's token secret for this
// purpose only (a cookie is never accepted as an API token, nor a token as a cookie). The cookie
// is HttpOnly, SameSite=Strict, Path=/, Max-Age = its lifetime; it names the user, not an
// instance: each request resolves the user's instances afresh (runtime::Caller).
//
// Logout forgets the cookie in the browser and adds its nonce to a revocation list kept until
// the cookie would have expired (in memory: a restart forgets it, and the cookie's short life
// bounds what that costs).
//
// Cross-site request forgery: every state-changing form carries a CSRF token =
// base64url(HMAC-SHA256(csrf key, cookie value)): bound to this login, unguessable without the
// server's secret, checked in constant time. Independently, a POST is refused when the browser
// says it is cross-site (Sec-Fetch-Site other than same-origin or none) or when its Origin header
// names another host than the Host header. SameSite=Strict already keeps the cookie off
// cross-site requests in current browsers; the token and the header checks do not rely on it.
//
// Thread safety: SessionCookies may be used from any number of threads at once.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/status.h"
#include "base/time.h"

namespace qrt::web {

inline constexpr std::string_view kCookieName = "qrt_session";

struct CookieClaims {
    std::string user_id;
    Timestamp expires{};
    std::string nonce;
};

class SessionCookies {
public:
    // `secret`: the server's token secret (runtime::Runtime::token_secret()).
    SessionCookies(std::string_view secret, Duration lifetime);

    Duration lifetime() const { return lifetime_; }

    // A new signed cookie value for `user_id`, valid until now + lifetime.
    std::string issue(const std::string& user_id, Timestamp now) const;
    // Checks the signature (constant time), the shape, the expiry and the revocation list.
    // unauthenticated with the reason otherwise.
    Result<CookieClaims> verify(std::string_view value, Timestamp now) const;
    // Logout: `value` (if valid) is refused from now until it expires.
    void revoke(std::string_view value, Timestamp now);

    // The CSRF token of forms shown to the holder of cookie `value`.
    std::string csrf_token(std::string_view value) const;
    bool csrf_ok(std::string_view value, std::string_view token) const;

    // Set-Cookie header values: the login cookie, and the one that clears it.
    std::string set_cookie_header(std::string_view value) const;
    static std::string clear_cookie_header();

private:
    std::string cookie_key_;
    std::string csrf_key_;
    Duration lifetime_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, Timestamp> revoked_;  // nonce -> cookie expiry
};

// The value of cookie `name` in a Cookie header ("a=1; qrt_session=x"), empty when absent.
std::string_view cookie_value(std::string_view header, std::string_view name);

// The cross-site checks on a state-changing request (see the header comment): ok, or
// permission_denied with the reason. Missing headers pass (older clients, curl); a present
// header must agree.
Status check_same_origin(std::string_view origin, std::string_view sec_fetch_site,
                         std::string_view host);

}  // namespace qrt::web
