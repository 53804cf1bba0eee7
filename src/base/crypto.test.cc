#include "base/crypto.h"

#include <gtest/gtest.h>

namespace qrt {
namespace {

std::string hex(const std::string& bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
    return out;
}

TEST(Crypto, hmac_sha256_matches_rfc4231_case_2) {
    EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, sha256_hex_of_abc) {
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, base64url_round_trips_and_refuses_padding) {
    for (std::string s : {"", "f", "fo", "foo", "foob", "\xff\xfe\xfd"}) {
        auto back = base64url_decode(base64url_encode(s));
        ASSERT_TRUE(back.ok()) << s;
        EXPECT_EQ(*back, s);
    }
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
    EXPECT_FALSE(base64url_decode("Zm8=").ok());
    EXPECT_FALSE(base64url_decode("Z").ok());
}

TEST(Crypto, constant_time_equal_compares_contents_and_lengths) {
    EXPECT_TRUE(constant_time_equal("abc", "abc"));
    EXPECT_FALSE(constant_time_equal("abc", "abd"));
    EXPECT_FALSE(constant_time_equal("abc", "abcd"));
    EXPECT_TRUE(constant_time_equal("", ""));
}

}  // namespace
}  // namespace qrt
