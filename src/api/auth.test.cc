#include "api/auth.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>

namespace qrt::api {
namespace {

constexpr std::string_view kSecret = "test-secret-for-hmac-sha256-32by";
const Timestamp kIat = Timestamp(std::chrono::seconds(1767225600));

TokenClaims alice() { return {"usr_alice", kIat, kIat + std::chrono::hours(1)}; }

std::string hex(std::string_view bytes) {
    std::string out;
    for (char c : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
    return out;
}

TEST(Hmac, matches_the_rfc_style_reference) {
    // Python: hmac.new(b"key", b"The quick brown fox jumps over the lazy dog", sha256)
    EXPECT_EQ(hex(hmac_sha256("key", "The quick brown fox jumps over the lazy dog")),
              "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    EXPECT_EQ(hmac_sha256("", "").size(), 32U);
}

TEST(Sha256, hex_of_known_inputs) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Base64Url, round_trips_every_length) {
    std::string bytes;
    for (int n = 0; n < 70; ++n) {
        Result<std::string> back = base64url_decode(base64url_encode(bytes));
        ASSERT_TRUE(back.ok()) << n;
        EXPECT_EQ(*back, bytes);
        bytes.push_back(static_cast<char>(n * 37 + 250));
    }
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64Url, refuses_padding_and_foreign_characters) {
    EXPECT_FALSE(base64url_decode("ab==").ok());
    EXPECT_FALSE(base64url_decode("ab+/").ok());
    EXPECT_FALSE(base64url_decode("abcde").ok());  // length 1 mod 4
    EXPECT_FALSE(base64url_decode("a b").ok());
}

TEST(Token, is_byte_identical_to_pyjwt) {
    // Python: jwt.encode({"iat":1767225600,"exp":1767229200,"sub":"usr_alice","iss":"qrt"},
    //                    kSecret, algorithm="HS256")
    EXPECT_EQ(sign_token(alice(), kSecret),
              "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
              "eyJpYXQiOjE3NjcyMjU2MDAsImV4cCI6MTc2NzIyOTIwMCwic3ViIjoidXNyX2FsaWNlIiwiaXNzIjoicX"
              "J0In0.o-30kMKQvZoZvkyr0r5NtNpZKRiw6_D7_s_5GrZKTAI");
}

TEST(Token, verifies_and_returns_the_claims) {
    const std::string token = sign_token(alice(), kSecret);
    Result<TokenClaims> claims = verify_token(token, kSecret, kIat + std::chrono::minutes(59));
    ASSERT_TRUE(claims.ok()) << claims.status().message();
    EXPECT_EQ(claims->subject, "usr_alice");
    EXPECT_EQ(claims->issued_at, kIat);
    EXPECT_EQ(claims->expires_at, kIat + std::chrono::hours(1));
}

TEST(Token, expires_at_exp) {
    const std::string token = sign_token(alice(), kSecret);
    Result<TokenClaims> r = verify_token(token, kSecret, kIat + std::chrono::hours(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
    EXPECT_NE(r.status().message().find("expired"), std::string::npos);
}

TEST(Token, refuses_another_secret) {
    const std::string token = sign_token(alice(), kSecret);
    Result<TokenClaims> r = verify_token(token, "other-secret", kIat);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "token signature does not match");
}

TEST(Token, refuses_a_tampered_payload_or_signature) {
    const std::string token = sign_token(alice(), kSecret);
    const std::size_t dot1 = token.find('.');
    const std::size_t dot2 = token.rfind('.');
    // The payload re-signed by nobody: sub changed to the admin.
    const std::string forged_payload =
        base64url_encode(R"({"iat":1767225600,"exp":1767229200,"sub":"usr_admin","iss":"qrt"})");
    const std::string forged = token.substr(0, dot1 + 1) + forged_payload + token.substr(dot2);
    EXPECT_FALSE(verify_token(forged, kSecret, kIat).ok());
    // Every single-character change to the signature is caught.
    for (std::size_t i = dot2 + 1; i < token.size(); ++i) {
        std::string t = token;
        t[i] = t[i] == 'A' ? 'B' : 'A';
        EXPECT_FALSE(verify_token(t, kSecret, kIat).ok()) << i;
    }
}

TEST(Token, refuses_alg_none_and_other_algorithms) {
    const std::string token = sign_token(alice(), kSecret);
    const std::string rest = token.substr(token.find('.'));
    for (std::string_view header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS512"})",
                                    R"({"typ":"JWT"})", R"({"alg":"hs256"})"}) {
        const std::string t = base64url_encode(header) + rest;
        Result<TokenClaims> r = verify_token(t, kSecret, kIat);
        EXPECT_FALSE(r.ok()) << header;
    }
    // alg none with an empty signature.
    const std::string none = base64url_encode(R"({"alg":"none"})") + "." +
                             base64url_encode(R"({"sub":"usr_admin","iss":"qrt","exp":9e9})") + ".";
    EXPECT_FALSE(verify_token(none, kSecret, kIat).ok());
}

TEST(Token, refuses_malformed_shapes) {
    for (std::string_view bad : {"", "abc", "a.b", "a.b.c.d", "..", "!!.!!.!!", "e30.e30.",
                                 "eyJhbGciOiJIUzI1NiJ9.e30.AAAA"}) {
        Result<TokenClaims> r = verify_token(bad, kSecret, kIat);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
    }
    EXPECT_FALSE(verify_token(std::string(kMaxTokenLength + 1, 'a'), kSecret, kIat).ok());
}

TEST(Token, signed_payload_must_name_qrt_and_a_subject) {
    auto sign_raw = [](std::string_view payload) {
        std::string t =
            base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url_encode(payload);
        return t + "." + base64url_encode(hmac_sha256(kSecret, t));
    };
    EXPECT_TRUE(
        verify_token(sign_raw(R"({"iat":1,"exp":9999999999,"sub":"u","iss":"qrt"})"), kSecret, kIat)
            .ok());
    for (std::string_view payload :
         {R"({"iat":1,"exp":9999999999,"sub":"u"})", R"({"iat":1,"exp":9999999999,"iss":"qrt"})",
          R"({"iat":1,"exp":9999999999,"sub":"","iss":"qrt"})",
          R"({"iat":1,"exp":"never","sub":"u","iss":"qrt"})", R"({"iat":1,"sub":"u","iss":"qrt"})",
          R"({"iat":1,"exp":-5,"sub":"u","iss":"qrt"})", R"([1,2,3])",
          R"({"iat":1,"exp":9999999999,"sub":"u","iss":"qrt")"}) {
        EXPECT_FALSE(verify_token(sign_raw(payload), kSecret, kIat).ok()) << payload;
    }
}

TEST(Authorization, parses_both_schemes) {
    Result<Credential> c = parse_authorization("Bearer abc.def.ghi");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->kind, CredentialKind::kBearer);
    EXPECT_EQ(c->value, "abc.def.ghi");
    c = parse_authorization("apikey   my-key ");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->kind, CredentialKind::kApiKey);
    EXPECT_EQ(c->value, "my-key");
    c = parse_authorization("BEARER x");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->kind, CredentialKind::kBearer);
    c = parse_authorization("");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->kind, CredentialKind::kNone);
}

TEST(Authorization, refuses_other_schemes_and_empty_values) {
    for (std::string_view bad : {"Basic dXNlcjpwYXNz", "Bearer", "apikey ", "Token x", "x"}) {
        Result<Credential> c = parse_authorization(bad);
        ASSERT_FALSE(c.ok()) << bad;
        EXPECT_EQ(c.status().code(), ErrorCode::kUnauthenticated);
    }
}

TEST(ConstantTimeEqual, compares_bytes) {
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("abc", "ab"));
    EXPECT_TRUE(constant_time_equal("", ""));
}

}  // namespace
}  // namespace qrt::api
