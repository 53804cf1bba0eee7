#include "base/duration.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>

namespace qrt {
namespace {

struct Unit {
    char symbol;
    std::int64_t micros;
};
// Descending order: the order groups must come in.
constexpr std::array<Unit, 4> kUnits{{
    {'d', 86'400'000'000LL},
    {'h', 3'600'000'000LL},
    {'m', 60'000'000LL},
    {'s', 1'000'000LL},
}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The input as it appears in error messages: quoted, escaped, cut short when long.
std::string quoted(std::string_view text) {
    constexpr std::size_t kMaxShown = 64;
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            out += fmt::format("\\x{:02x}", c);
        } else {
            out += static_cast<char>(c);
        }
    }
    if (text.size() > kMaxShown) out += "...";
    out += '"';
    return out;
}

// One character for a message: printable as itself, anything else escaped.
std::string shown(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) return fmt::format("\\x{:02x}", c);
    return std::string(1, ch);
}

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    Result<Duration> parse() {
        if (text_.empty()) return invalid_argument("empty duration");
        if (text_[0] == '-') return fail(0, "negative durations are not allowed");
        if (text_[0] == ' ') return fail(0, "unexpected space");
        if (text_.back() == ' ') return fail(text_.size() - 1, "unexpected trailing space");

        // A bare whole number is seconds.
        bool all_digits = true;
        for (char c : text_) all_digits = all_digits && is_digit(c);
        if (all_digits) {
            std::int64_t seconds = 0;
            if (!read_number(seconds)) return overflow();
            return scaled(seconds, kUnits.back().micros);
        }

        std::int64_t total = 0;
        std::optional<std::size_t> last_unit;  // index into kUnits of the previous group
        while (pos_ < text_.size()) {
            if (last_unit) {
                while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
            }
            const std::size_t start = pos_;
            if (text_[pos_] == '-') return fail(pos_, "negative durations are not allowed");
            if (!is_digit(text_[pos_])) {
                return fail(pos_, fmt::format("expected a number, found '{}'", shown(text_[pos_])));
            }
            std::int64_t whole = 0;
            if (!read_number(whole)) return overflow();

            std::int64_t frac_micros = 0;
            std::optional<std::size_t> dot;
            if (pos_ < text_.size() && text_[pos_] == '.') {
                dot = pos_++;
                const std::size_t frac_start = pos_;
                std::int64_t scale = 100'000;
                while (pos_ < text_.size() && is_digit(text_[pos_])) {
                    if (pos_ - frac_start == 6) {
                        return fail(pos_, "more than 6 decimals (the resolution is 1 microsecond)");
                    }
                    frac_micros += (text_[pos_] - '0') * scale;
                    scale /= 10;
                    ++pos_;
                }
                if (pos_ == frac_start) return fail(pos_, "expected digits after '.'");
            }

            if (pos_ == text_.size()) {
                return fail(pos_, fmt::format("missing unit after '{}' (use d, h, m or s)",
                                              text_.substr(start, pos_ - start)));
            }
            if (text_[pos_] == ' ') {
                return fail(pos_, fmt::format("unexpected space between '{}' and its unit",
                                              text_.substr(start, pos_ - start)));
            }
            // The unit token is the run of letters, so "5min" reports 'min'.
            const std::size_t unit_pos = pos_;
            while (pos_ < text_.size() && is_letter(text_[pos_])) ++pos_;
            if (pos_ == unit_pos) {
                return fail(pos_,
                            fmt::format("expected a unit (d, h, m or s) after '{}', found '{}'",
                                        text_.substr(start, pos_ - start), shown(text_[pos_])));
            }
            const std::string_view token = text_.substr(unit_pos, pos_ - unit_pos);
            std::optional<std::size_t> unit;
            if (token.size() == 1) {
                for (std::size_t u = 0; u < kUnits.size(); ++u) {
                    if (kUnits[u].symbol == token[0]) unit = u;
                }
            }
            if (!unit) {
                return fail(unit_pos, fmt::format("unknown unit '{}' (use d, h, m or s)", token));
            }
            if (dot && kUnits[*unit].symbol != 's') {
                return fail(*dot, fmt::format("a fraction is allowed only on seconds, not on "
                                              "'{}' (write 1h 30m, not 1.5h)",
                                              kUnits[*unit].symbol));
            }
            if (last_unit && *unit == *last_unit) {
                return fail(unit_pos, fmt::format("unit '{}' appears twice", token));
            }
            if (last_unit && *unit < *last_unit) {
                return fail(unit_pos, fmt::format("unit '{}' comes after '{}'; write units in "
                                                  "the order d, h, m, s",
                                                  token, kUnits[*last_unit].symbol));
            }
            last_unit = unit;

            Result<Duration> group = scaled(whole, kUnits[*unit].micros);
            if (!group.ok()) return group;
            if (__builtin_add_overflow(total, group->count(), &total) ||
                __builtin_add_overflow(total, frac_micros, &total)) {
                return overflow();
            }
            if (pos_ < text_.size() && is_digit(text_[pos_])) continue;  // "1h30m"
            if (pos_ < text_.size() && text_[pos_] != ' ') {
                return fail(pos_, fmt::format("unexpected '{}'", shown(text_[pos_])));
            }
        }
        return Duration(total);
    }

private:
    // Reads digits at pos_; false if they overflow int64.
    bool read_number(std::int64_t& out) {
        out = 0;
        while (pos_ < text_.size() && is_digit(text_[pos_])) {
            if (__builtin_mul_overflow(out, 10, &out) ||
                __builtin_add_overflow(out, text_[pos_] - '0', &out)) {
                return false;
            }
            ++pos_;
        }
        return true;
    }

    Result<Duration> scaled(std::int64_t n, std::int64_t micros) const {
        std::int64_t total = 0;
        if (__builtin_mul_overflow(n, micros, &total)) return overflow();
        return Duration(total);
    }

    Status fail(std::size_t pos, std::string_view what) const {
        return invalid_argument(fmt::format("{} at position {} in {}", what, pos, quoted(text_)));
    }

    Status overflow() const {
        return invalid_argument(fmt::format(
            "duration {} is too large (the limit is about 292000 years)", quoted(text_)));
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

Result<Duration> parse_duration(std::string_view text) { return Parser(text).parse(); }

std::string format_duration(Duration d) {
    std::int64_t us = d.count();
    if (us < 0) {
        // -min has no positive counterpart; it is written as one more than min, negated.
        if (us == std::numeric_limits<std::int64_t>::min()) ++us;
        return "-" + format_duration(Duration(-us));
    }
    if (us == 0) return "0s";
    std::string out;
    for (const Unit& unit : kUnits) {
        const std::int64_t n = us / unit.micros;
        us %= unit.micros;
        if (unit.symbol == 's') {
            if (n == 0 && us == 0) break;
            if (!out.empty()) out += ' ';
            out += fmt::format("{}", n);
            if (us != 0) {
                std::string frac = fmt::format("{:06d}", us);
                while (frac.back() == '0') frac.pop_back();
                out += '.';
                out += frac;
            }
            out += 's';
        } else if (n != 0) {
            if (!out.empty()) out += ' ';
            out += fmt::format("{}{}", n, unit.symbol);
        }
    }
    return out;
}

}  // namespace qrt
