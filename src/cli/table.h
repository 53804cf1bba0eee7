// Plain-text output shared by the `qrt` verbs: tables with columns padded to their widest cell,
// "name: value" blocks, and indented JSON. What `qrt admin` and the user verbs print.
//
// Widths count UTF-8 code points, so cells with bars ("█") or "±" line up on a terminal.
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/value.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qrt::cli {

using TableRow = std::vector<std::string>;

enum class Align { kLeft, kRight };

// A header line and one line per row, columns two spaces apart, each line ending in "\n". Cells
// are padded to the widest cell of their column; no line ends in spaces.
// `align[i]` aligns column i (left when not given); right-aligned columns suit numbers.
std::string text_table(const TableRow& head, const std::vector<TableRow>& rows,
                       const std::vector<Align>& align = {});

// "name:  value" lines with the values in one column; a field with an empty value is left out.
std::string text_fields(const std::vector<std::pair<std::string, std::string>>& fields);

// JSON with a 2-space indent, keys in their order, no trailing newline.
std::string pretty_json(const boost::json::value& v);

// "2026-01-01T00:00:00.123456Z" -> "2026-01-01T00:00:00Z": tables need no microseconds. Other
// text is returned as it is.
std::string short_time(const std::string& iso);

// The string at `path` in a JSON text (raw_string_field(raw, {"queue_info", "rule"})); "" when the
// text is not JSON or the value is absent, null or not a string. For the fields of the server's
// answers that the client library keeps only in its raw_json.
std::string raw_string_field(std::string_view json_text, std::initializer_list<const char*> path);

// The number of UTF-8 code points in `text` (its width on a terminal for the text qrt prints).
std::size_t display_width(std::string_view text);

// `text` cut to at most `width` code points, the last one "…" when something was cut.
std::string truncate_display(std::string_view text, std::size_t width);

}  // namespace qrt::cli
