// Building blocks of the web pages: HTML escaping (every string that came from a user or the
// store passes through escape_html before it reaches a page), URL and form decoding, and the
// short human forms of times, durations and numbers the pages show.
//
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"

namespace qrt::web {

// Text safe inside an element or a quoted attribute value: & < > " ' become entities, and
// control characters other than tab and newline are dropped (they are never meant to be shown).
std::string escape_html(std::string_view text);

// Percent-encoding for a query value or path segment (RFC 3986 unreserved kept).
std::string url_encode(std::string_view text);
// Decodes %XX and '+' (as a space, form style). A malformed escape is kept literally.
std::string url_decode(std::string_view text);

// "a=1&b=x+y" -> {a: "1", b: "x y"} (the last value wins for a repeated name). Used for the
// query string and for application/x-www-form-urlencoded bodies.
std::map<std::string, std::string> parse_form(std::string_view text);

// The path and the query string of a request target ("/ui/jobs?x=1" -> "/ui/jobs", "x=1").
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

// "2026-11-21 13:44:21Z" (seconds, UTC), "" for nullopt.
std::string format_time(std::optional<Timestamp> t);
// "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
std::string format_seconds(double seconds);
// A short number: 3 significant digits ("0.0123", "12.3", "1.23e+05").
std::string format_number(double x);

// A date "YYYY-MM-DD" (an <input type=date> value) as the start of that day, UTC; nullopt when
// it is not a valid date.
std::optional<Timestamp> parse_date(std::string_view text);

}  // namespace qrt::web
