#include "base/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace qrt {
namespace {

TEST(Base64, encodes_rfc4648_test_vectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode("QISKIT"), "UUlTS0lU");  // how a raw QPY blob starts
}

TEST(Base64, decodes_rfc4648_test_vectors) {
    for (const char* s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        auto r = base64_decode(base64_encode(s));
        ASSERT_TRUE(r.ok()) << r.status().to_string();
        EXPECT_EQ(*r, s);
    }
}

TEST(Base64, round_trips_every_byte_value_and_length) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t len = 0; len <= all.size(); len += 7) {
        const std::string in = all.substr(0, len);
        auto r = base64_decode(base64_encode(in));
        ASSERT_TRUE(r.ok()) << len;
        EXPECT_EQ(*r, in);
    }
}

TEST(Base64, skips_line_breaks) {
    auto r = base64_decode("Zm9v\nYmFy\r\n");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, "foobar");
}

TEST(Base64, rejects_a_bad_character_naming_its_position) {
    auto r = base64_decode("Zm9vYm#y");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "base64: invalid character '#' (0x23) at position 6");
    EXPECT_NE(base64_decode("Zm9v YmFy").status().message().find("position 4"), std::string::npos);
    EXPECT_NE(base64_decode("Zm9v-_==").status().message().find("'-'"), std::string::npos);
    EXPECT_NE(base64_decode(std::string("Zm9\x80", 4)).status().message().find("0x80"),
              std::string::npos);
}

TEST(Base64, rejects_bad_padding_and_lengths) {
    EXPECT_FALSE(base64_decode("Zg").ok());    // padding missing
    EXPECT_FALSE(base64_decode("Zg=").ok());   // padding short
    EXPECT_FALSE(base64_decode("Z===").ok());  // one character cannot hold a byte
    EXPECT_FALSE(base64_decode("====").ok());
    EXPECT_FALSE(base64_decode("Zg==Zg==").ok());  // data after padding
    EXPECT_FALSE(base64_decode("Zm9=v").ok());
    EXPECT_FALSE(base64_decode("Zm9vY").ok());
    EXPECT_NE(base64_decode("Zg==Zg==").status().message().find("after padding"),
              std::string::npos);
    EXPECT_NE(base64_decode("Zm9vY").status().message().find("multiple of 4"), std::string::npos);
}

}  // namespace
}  // namespace qrt
