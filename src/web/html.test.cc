#include "web/html.h"

#include <gtest/gtest.h>

namespace qrt::web {
namespace {

TEST(Html, escape_html_neutralises_markup_in_text_and_attributes) {
    EXPECT_EQ(escape_html("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    EXPECT_EQ(escape_html("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
    EXPECT_EQ(escape_html("it's & <b>"), "it&#39;s &amp; &lt;b&gt;");
    EXPECT_EQ(escape_html("plain tag-1_2"), "plain tag-1_2");
}

TEST(Html, escape_html_drops_control_characters_but_keeps_utf8) {
    EXPECT_EQ(escape_html(std::string("a\0b\x01\x7f", 5) + "\tc\n"), "ab\tc\n");
    EXPECT_EQ(escape_html("Größe µs"), "Größe µs");
}

TEST(Html, every_escaped_string_is_free_of_raw_markup_characters) {
    // Every byte value, alone and around a quote: nothing that opens a tag or ends an attribute.
    for (int c = 0; c < 256; ++c) {
        const std::string s = std::string(1, static_cast<char>(c)) + "\"'<>&";
        const std::string out = escape_html(s);
        EXPECT_EQ(out.find('<'), std::string::npos) << c;
        EXPECT_EQ(out.find('>'), std::string::npos) << c;
        EXPECT_EQ(out.find('"'), std::string::npos) << c;
        EXPECT_EQ(out.find('\''), std::string::npos) << c;
    }
}

TEST(Html, url_encode_and_decode_round_trip) {
    const std::string s = "a b/c?d=e&f#g\"<>%é";
    EXPECT_EQ(url_decode(url_encode(s)), s);
    EXPECT_EQ(url_encode("job_1-x.y~z"), "job_1-x.y~z");
    EXPECT_EQ(url_encode("a b"), "a%20b");
    EXPECT_EQ(url_decode("a+b%2Fc%zz%4"), "a b/c%zz%4");
}

TEST(Html, parse_form_reads_query_strings_and_form_bodies) {
    auto f = parse_form("status=Queued&tag=a+b&empty=&flag&x=%3Cy%3E&status=Running");
    EXPECT_EQ(f["status"], "Running");
    EXPECT_EQ(f["tag"], "a b");
    EXPECT_EQ(f["empty"], "");
    EXPECT_EQ(f["flag"], "");
    EXPECT_EQ(f["x"], "<y>");
    EXPECT_TRUE(parse_form("").empty());
}

TEST(Html, split_target_separates_path_and_query) {
    auto [p, q] = split_target("/ui/jobs?status=Queued");
    EXPECT_EQ(p, "/ui/jobs");
    EXPECT_EQ(q, "status=Queued");
    auto [p2, q2] = split_target("/ui/jobs");
    EXPECT_EQ(p2, "/ui/jobs");
    EXPECT_EQ(q2, "");
}

TEST(Html, formats_times_durations_and_numbers) {
    EXPECT_EQ(format_time(std::nullopt), "");
    EXPECT_EQ(format_time(Timestamp(std::chrono::seconds(1'700'000'000))), "2023-11-14 22:13:20Z");
    EXPECT_EQ(format_seconds(0.25), "250 ms");
    EXPECT_EQ(format_seconds(12.34), "12.3 s");
    EXPECT_EQ(format_seconds(245), "4 min 05 s");
    EXPECT_EQ(format_seconds(7380), "2 h 03 min");
    EXPECT_EQ(format_number(0.012345), "0.0123");
}

TEST(Html, parse_date_accepts_only_real_dates) {
    auto t = parse_date("2023-11-14");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(format_time(t), "2023-11-14 00:00:00Z");
    EXPECT_FALSE(parse_date("2023-02-30").has_value());
    EXPECT_FALSE(parse_date("2023-1-14").has_value());
    EXPECT_FALSE(parse_date("yesterday").has_value());
    EXPECT_FALSE(parse_date("").has_value());
}

}  // namespace
}  // namespace qrt::web
