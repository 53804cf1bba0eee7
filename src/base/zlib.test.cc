#include "base/zlib.h"

#include <gtest/gtest.h>

#include <string>

namespace qrt {
namespace {

std::string sample(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s.push_back(static_cast<char>("QISKIT-qpy"[i % 10] ^ (i / 97)));
    return s;
}

TEST(Zlib, round_trips_at_every_level) {
    const std::string in = sample(100000);
    for (int level = 0; level <= 9; ++level) {
        auto out = zlib_decompress(zlib_compress(in, level), in.size());
        ASSERT_TRUE(out.ok()) << level << ": " << out.status().to_string();
        EXPECT_EQ(*out, in);
    }
}

TEST(Zlib, round_trips_empty_input) {
    auto out = zlib_decompress(zlib_compress(""), 0);
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(*out, "");
}

TEST(Zlib, compressed_stream_starts_like_pythons) {
    const std::string z = zlib_compress("QISKIT");
    ASSERT_GE(z.size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x78);
    EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x9C);
}

TEST(Zlib, output_over_the_cap_is_refused_without_inflating_it_all) {
    const std::string bomb = zlib_compress(std::string(50'000'000, '\0'), 9);
    EXPECT_LT(bomb.size(), 100'000u);
    auto out = zlib_decompress(bomb, 1'000'000);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), ErrorCode::kResourceExhausted);
    EXPECT_NE(out.status().message().find("limit of 1000000 bytes"), std::string::npos);
}

TEST(Zlib, output_exactly_at_the_cap_is_accepted) {
    const std::string in = sample(5000);
    auto out = zlib_decompress(zlib_compress(in), in.size());
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(*out, in);
    EXPECT_FALSE(zlib_decompress(zlib_compress(in), in.size() - 1).ok());
}

TEST(Zlib, every_truncation_is_an_error) {
    const std::string z = zlib_compress(sample(3000));
    for (std::size_t n = 0; n < z.size(); ++n) {
        auto out = zlib_decompress(std::string_view(z).substr(0, n), 1 << 20);
        ASSERT_FALSE(out.ok()) << n;
        EXPECT_EQ(out.status().code(), ErrorCode::kInvalidArgument);
    }
    EXPECT_NE(
        zlib_decompress(z.substr(0, z.size() / 2), 1 << 20).status().message().find("truncated"),
        std::string::npos);
}

TEST(Zlib, corrupt_streams_are_errors_with_a_reason) {
    auto not_zlib = zlib_decompress("hello world", 1 << 20);
    ASSERT_FALSE(not_zlib.ok());
    EXPECT_NE(not_zlib.status().message().find("zlib: corrupt stream at input byte"),
              std::string::npos)
        << not_zlib.status().message();

    std::string z = zlib_compress(sample(3000));
    z[z.size() - 1] = static_cast<char>(z[z.size() - 1] ^ 0x55);  // Adler-32 mismatch
    auto bad_sum = zlib_decompress(z, 1 << 20);
    ASSERT_FALSE(bad_sum.ok());
    EXPECT_NE(bad_sum.status().message().find("check"), std::string::npos)
        << bad_sum.status().message();
}

TEST(Zlib, bytes_after_the_stream_are_refused) {
    auto out = zlib_decompress(zlib_compress("abc") + "xyz", 1 << 20);
    ASSERT_FALSE(out.ok());
    EXPECT_NE(out.status().message().find("3 unexpected bytes after the end"), std::string::npos)
        << out.status().message();
}

}  // namespace
}  // namespace qrt
