#include "web/session_cookie.h"

#include <gtest/gtest.h>

#include "base/crypto.h"

namespace qrt::web {
namespace {

const Timestamp kNow = Timestamp(std::chrono::seconds(1'700'000'000));

TEST(SessionCookies, an_issued_cookie_verifies_until_it_expires) {
    SessionCookies cookies("secret", std::chrono::hours(1));
    const std::string value = cookies.issue("usr_1", kNow);
    auto claims = cookies.verify(value, kNow + std::chrono::minutes(59));
    ASSERT_TRUE(claims.ok()) << claims.status().to_string();
    EXPECT_EQ(claims->user_id, "usr_1");
    auto late = cookies.verify(value, kNow + std::chrono::minutes(61));
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.status().code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(late.status().message().find("expired"), std::string::npos);
}

TEST(SessionCookies, another_secret_or_a_changed_byte_is_refused) {
    SessionCookies cookies("secret", std::chrono::hours(1));
    SessionCookies other("other secret", std::chrono::hours(1));
    const std::string value = cookies.issue("usr_1", kNow);
    EXPECT_FALSE(other.verify(value, kNow).ok());
    for (std::size_t i = 0; i < value.size(); ++i) {
        std::string tampered = value;
        tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
        EXPECT_FALSE(cookies.verify(tampered, kNow).ok()) << i;
    }
    EXPECT_FALSE(cookies.verify("", kNow).ok());
    EXPECT_FALSE(cookies.verify("abc", kNow).ok());
    EXPECT_FALSE(cookies.verify(std::string(5000, 'a'), kNow).ok());
}

TEST(SessionCookies, a_forged_payload_for_another_user_is_refused) {
    SessionCookies cookies("secret", std::chrono::hours(1));
    const std::string value = cookies.issue("usr_1", kNow);
    const std::string sig = value.substr(value.find('.'));
    const std::string forged = base64url_encode("v1\nusr_admin\n9999999999\nnonce") + sig;
    EXPECT_FALSE(cookies.verify(forged, kNow).ok());
}

TEST(SessionCookies, logout_revokes_the_cookie_but_not_others) {
    SessionCookies cookies("secret", std::chrono::hours(1));
    const std::string a = cookies.issue("usr_1", kNow);
    const std::string b = cookies.issue("usr_1", kNow);
    EXPECT_NE(a, b);  // a fresh nonce each time
    cookies.revoke(a, kNow);
    EXPECT_FALSE(cookies.verify(a, kNow).ok());
    EXPECT_TRUE(cookies.verify(b, kNow).ok());
}

TEST(SessionCookies, the_csrf_token_is_bound_to_the_cookie) {
    SessionCookies cookies("secret", std::chrono::hours(1));
    const std::string a = cookies.issue("usr_1", kNow);
    const std::string b = cookies.issue("usr_1", kNow);
    const std::string token = cookies.csrf_token(a);
    EXPECT_TRUE(cookies.csrf_ok(a, token));
    EXPECT_FALSE(cookies.csrf_ok(b, token));
    EXPECT_FALSE(cookies.csrf_ok(a, ""));
    EXPECT_FALSE(cookies.csrf_ok("", cookies.csrf_token("")));
    EXPECT_FALSE(cookies.csrf_ok(a, token.substr(1)));
    // Not the cookie signature: a different key.
    EXPECT_NE(token, a.substr(a.find('.') + 1));
}

TEST(SessionCookies, set_cookie_is_httponly_samesite_strict_with_a_lifetime) {
    SessionCookies cookies("secret", std::chrono::hours(1));
    const std::string header = cookies.set_cookie_header("v");
    EXPECT_EQ(header, "qrt_session=v; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict");
    EXPECT_NE(SessionCookies::clear_cookie_header().find("Max-Age=0"), std::string::npos);
}

TEST(SessionCookies, cookie_value_finds_the_named_cookie) {
    EXPECT_EQ(cookie_value("a=1; qrt_session=xyz; b=2", "qrt_session"), "xyz");
    EXPECT_EQ(cookie_value("qrt_session=\"q\"", "qrt_session"), "q");
    EXPECT_EQ(cookie_value("xqrt_session=1", "qrt_session"), "");
    EXPECT_EQ(cookie_value("", "qrt_session"), "");
}

TEST(SameOrigin, cross_site_requests_are_refused) {
    EXPECT_TRUE(check_same_origin("", "", "127.0.0.1:8000").ok());
    EXPECT_TRUE(check_same_origin("http://127.0.0.1:8000", "same-origin", "127.0.0.1:8000").ok());
    EXPECT_TRUE(check_same_origin("", "none", "h").ok());
    EXPECT_FALSE(check_same_origin("", "cross-site", "h").ok());
    EXPECT_FALSE(check_same_origin("", "same-site", "h").ok());
    EXPECT_FALSE(check_same_origin("http://evil.example", "", "127.0.0.1:8000").ok());
    EXPECT_FALSE(check_same_origin("http://127.0.0.1:8001", "", "127.0.0.1:8000").ok());
    EXPECT_FALSE(check_same_origin("null", "", "127.0.0.1:8000").ok());
    EXPECT_FALSE(check_same_origin("http://127.0.0.1:8000", "", "").ok());
    EXPECT_EQ(check_same_origin("http://evil", "", "h").code(), ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace qrt::web
