// Durations as people write them: "3600", "25m", "2h 30m 40s", "1h30m", "1d 12h", "1.5s".
//
// The grammar (used by the session API's max_ttl / interactive_ttl and by workload files):
//
//     duration := digits                         a bare whole number of seconds: "3600"
//               | group (" "* group)*            one or more number+unit groups
//     group    := digits unit | digits "." digits "s"
//     unit     := "d" | "h" | "m" | "s"          days, hours, minutes, seconds
//
// Each unit at most once and in descending order (d, h, m, s). A fraction is allowed only on
// seconds, with at most 6 decimals ("0.25s", "40.000001s"), so every value is an exact
// number of microseconds; write "1h 30m", not "1.5h". No sign, no spaces at either end or
// between a number and its unit, lower-case units only. Errors give the 0-based position of
// the offending character.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "base/time.h"

namespace qrt {

// Parses `text` by the grammar above. invalid_argument on anything else, with a message that
// names what is wrong and where, e.g. `unknown unit 'x' at position 1 in "5x"`; also when the
// value does not fit in a Duration.
Result<Duration> parse_duration(std::string_view text);

// Writes `d` in the grammar above, largest units first, zero groups left out: "2h 30m 40s",
// "1d 5s", "0.25s", "0s". parse_duration(format_duration(d)) == d for every d >= 0. A negative
// d is written as "-" followed by the format of -d (which parse_duration rejects).
std::string format_duration(Duration d);

}  // namespace qrt
