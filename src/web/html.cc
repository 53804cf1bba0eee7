#include "web/html.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

namespace qrt::web {

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') break;
                if (c == 0x7f) break;
                out.push_back(c);
        }
    }
    return out;
}

std::string url_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xf]);
        }
    }
    return out;
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string url_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::map<std::string, std::string> parse_form(std::string_view text) {
    std::map<std::string, std::string> out;
    while (!text.empty()) {
        const std::size_t amp = text.find('&');
        const std::string_view pair = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
        if (pair.empty()) continue;
        const std::size_t eq = pair.find('=');
        std::string name = url_decode(pair.substr(0, eq));
        std::string value = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1));
        out[std::move(name)] = std::move(value);
    }
    return out;
}

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
    const std::size_t q = target.find('?');
    if (q == std::string_view::npos) return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

std::string format_time(std::optional<Timestamp> t) {
    if (!t) return "";
    const auto secs = std::chrono::floor<std::chrono::seconds>(*t);
    const auto days = std::chrono::floor<std::chrono::days>(secs);
    const std::chrono::year_month_day ymd{days};
    const std::chrono::hh_mm_ss hms{secs - days};
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string format_seconds(double s) {
    if (!std::isfinite(s)) return "-";
    if (s < 0) s = 0;
    if (s < 1) return fmt::format("{:.0f} ms", s * 1000);
    if (s < 60) return fmt::format("{:.1f} s", s);
    if (s < 3600) {
        const auto whole = static_cast<long long>(s);
        return fmt::format("{} min {:02} s", whole / 60, whole % 60);
    }
    const auto whole = static_cast<long long>(s);
    return fmt::format("{} h {:02} min", whole / 3600, (whole % 3600) / 60);
}

std::string format_number(double x) {
    if (!std::isfinite(x)) return std::isnan(x) ? "NaN" : (x > 0 ? "inf" : "-inf");
    return fmt::format("{:.3g}", x);
}

std::optional<Timestamp> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0, d = 0;
    for (std::size_t i : {0u, 1u, 2u, 3u}) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        y = y * 10 + (text[i] - '0');
    }
    for (std::size_t i : {5u, 6u}) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        m = m * 10 + static_cast<unsigned>(text[i] - '0');
    }
    for (std::size_t i : {8u, 9u}) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        d = d * 10 + static_cast<unsigned>(text[i] - '0');
    }
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                          std::chrono::day{d}};
    if (!ymd.ok() || y < 1970) return std::nullopt;
    return std::chrono::time_point_cast<Duration>(std::chrono::sys_days{ymd});
}

}  // namespace qrt::web
