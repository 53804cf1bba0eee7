#include "cli/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

namespace qrt::cli {

namespace json = boost::json;

std::size_t display_width(std::string_view text) {
    // Every byte that is not a UTF-8 continuation byte (10xxxxxx) starts a code point.
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
    }));
}

std::string truncate_display(std::string_view text, std::size_t width) {
    if (display_width(text) <= width) return std::string(text);
    if (width == 0) return {};
    std::size_t points = 0;
    std::size_t i = 0;
    for (; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) {
            if (points == width - 1) break;
            ++points;
        }
    }
    return std::string(text.substr(0, i)) + "…";
}

std::string text_table(const TableRow& head, const std::vector<TableRow>& rows,
                       const std::vector<Align>& align) {
    std::size_t columns = head.size();
    for (const auto& row : rows) columns = std::max(columns, row.size());
    std::vector<std::size_t> width(columns, 0);
    auto measure = [&](const TableRow& row) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            width[i] = std::max(width[i], display_width(row[i]));
        }
    };
    measure(head);
    for (const auto& row : rows) measure(row);

    auto line = [&](const TableRow& cells) {
        std::string out;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            bool last = i + 1 == cells.size();
            std::string pad(width[i] - display_width(cells[i]), ' ');
            bool right = i < align.size() && align[i] == Align::kRight;
            if (right) out += pad;
            out += cells[i];
            if (!right && !last) out += pad;
            if (!last) out += "  ";
        }
        // Empty cells at the end of a line leave no trailing spaces.
        out.erase(out.find_last_not_of(' ') + 1);
        return out + "\n";
    };
    std::string out = line(head);
    for (const auto& row : rows) out += line(row);
    return out;
}

std::string text_fields(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::size_t width = 0;
    for (const auto& [name, value] : fields) {
        if (!value.empty()) width = std::max(width, display_width(name) + 1);
    }
    std::string out;
    for (const auto& [name, value] : fields) {
        if (value.empty()) continue;
        out += name;
        out += ':';
        out.append(width - display_width(name) + 1, ' ');
        out += value;
        out += '\n';
    }
    return out;
}

namespace {

void pretty(const json::value& v, std::string& out, int indent) {
    std::string pad(static_cast<std::size_t>(indent + 1) * 2, ' ');
    std::string end_pad(static_cast<std::size_t>(indent) * 2, ' ');
    if (v.is_object() && !v.as_object().empty()) {
        out += "{";
        bool first = true;
        for (const auto& [k, x] : v.as_object()) {
            out += first ? "\n" : ",\n";
            first = false;
            out += pad + json::serialize(json::value(k)) + ": ";
            pretty(x, out, indent + 1);
        }
        out += "\n" + end_pad + "}";
    } else if (v.is_array() && !v.as_array().empty()) {
        out += "[";
        bool first = true;
        for (const auto& x : v.as_array()) {
            out += first ? "\n" : ",\n";
            first = false;
            out += pad;
            pretty(x, out, indent + 1);
        }
        out += "\n" + end_pad + "]";
    } else if (v.is_double()) {
        // Shortest round-trip form, "1.5" rather than Boost's "1.5E0"; still a double ("600.0").
        double x = v.as_double();
        if (!std::isfinite(x)) {
            out += "null";
            return;
        }
        std::string text = fmt::format("{}", x);
        if (text.find_first_of(".e") == std::string::npos) text += ".0";
        out += text;
    } else {
        out += json::serialize(v);
    }
}

}  // namespace

std::string short_time(const std::string& iso) {
    if (iso.size() > 20 && iso[19] == '.' && iso.back() == 'Z') return iso.substr(0, 19) + "Z";
    return iso;
}

std::string raw_string_field(std::string_view json_text, std::initializer_list<const char*> path) {
    boost::system::error_code ec;
    json::value root = json::parse(json_text, ec);
    if (ec) return {};
    const json::value* v = &root;
    for (const char* key : path) {
        v = v->is_object() ? v->as_object().if_contains(key) : nullptr;
        if (v == nullptr) return {};
    }
    return v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string pretty_json(const json::value& v) {
    std::string out;
    pretty(v, out, 0);
    return out;
}

}  // namespace qrt::cli
