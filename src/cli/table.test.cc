#include "cli/table.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace qrt::cli {
namespace {

TEST(TextTable, pads_columns_to_the_widest_cell_and_leaves_the_last_unpadded) {
    EXPECT_EQ(
        text_table({"NAME", "QUBITS", "SIM"}, {{"emu_small5", "5", "no"}, {"x", "127", "yes"}},
                   {Align::kLeft, Align::kRight}),
        "NAME        QUBITS  SIM\n"
        "emu_small5       5  no\n"
        "x              127  yes\n");
}

TEST(TextTable, counts_code_points_not_bytes) {
    // "█" is 3 bytes of UTF-8 but one column on a terminal.
    EXPECT_EQ(text_table({"A", "B"}, {{"██", "x"}, {"a", "y"}}), "A   B\n██  x\na   y\n");
}

TEST(TextTable, rows_shorter_than_the_header_end_early) {
    EXPECT_EQ(text_table({"A", "B", "C"}, {{"1"}}), "A  B  C\n1\n");
}

TEST(TextFields, aligns_values_and_leaves_out_empty_ones) {
    EXPECT_EQ(text_fields({{"id", "job_1"}, {"reason", ""}, {"backend", "sim"}}),
              "id:       job_1\n"
              "backend:  sim\n");
}

TEST(PrettyJson, indents_nested_values_and_keeps_key_order) {
    boost::json::value v = {
        {"b", 1}, {"a", boost::json::array{1, "x"}}, {"e", boost::json::object{}}};
    EXPECT_EQ(pretty_json(v),
              "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    \"x\"\n  ],\n  \"e\": {}\n}");
}

TEST(RawStringField, finds_nested_strings_and_nothing_else) {
    const char* raw = R"({"queue_info":{"rule":"K2","position":null},"active_session":null})";
    EXPECT_EQ(raw_string_field(raw, {"queue_info", "rule"}), "K2");
    EXPECT_EQ(raw_string_field(raw, {"queue_info", "position"}), "");
    EXPECT_EQ(raw_string_field(raw, {"active_session"}), "");
    EXPECT_EQ(raw_string_field(raw, {"nope", "rule"}), "");
    EXPECT_EQ(raw_string_field("not json", {"a"}), "");
    EXPECT_EQ(raw_string_field("", {"a"}), "");
}

TEST(PrettyJson, writes_doubles_short_and_still_as_doubles) {
    boost::json::value v = {1.5, 600.0, 1e-7, 0.1, 12};
    EXPECT_EQ(pretty_json(v), "[\n  1.5,\n  600.0,\n  1e-07,\n  0.1,\n  12\n]");
}

TEST(ShortTime, drops_microseconds_only) {
    EXPECT_EQ(short_time("2026-01-01T00:00:00.123456Z"), "2026-01-01T00:00:00Z");
    EXPECT_EQ(short_time("2026-01-01T00:00:00Z"), "2026-01-01T00:00:00Z");
    EXPECT_EQ(short_time(""), "");
}

TEST(DisplayWidth, truncates_with_an_ellipsis) {
    EXPECT_EQ(display_width("a±b"), 3U);
    EXPECT_EQ(truncate_display("abcdef", 4), "abc…");
    EXPECT_EQ(truncate_display("ab±", 3), "ab±");
    EXPECT_EQ(truncate_display("±±±±", 2), "±…");
    EXPECT_EQ(truncate_display("abc", 0), "");
}

}  // namespace
}  // namespace qrt::cli
