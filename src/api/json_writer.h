// A small, fast JSON text writer for responses: appends to one std::string with no DOM and no
// intermediate allocations, so the hot GET /jobs/{id} path stays lean. Commas are placed by the
// writer; the caller only says begin/end, key and value. Strings are escaped per RFC 8259
// (quotes, backslash, control characters); other bytes pass through, so valid UTF-8 in is valid
// UTF-8 out. Non-finite doubles are written as null (JSON has no NaN).
//
// Thread safety: a JsonWriter is a value used by one thread.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"

namespace qrt::api {

class JsonWriter {
public:
    explicit JsonWriter(std::size_t reserve = 512) { out_.reserve(reserve); }

    JsonWriter& begin_object() {
        separate();
        out_.push_back('{');
        push();
        return *this;
    }
    JsonWriter& end_object() {
        out_.push_back('}');
        pop();
        return *this;
    }
    JsonWriter& begin_array() {
        separate();
        out_.push_back('[');
        push();
        return *this;
    }
    JsonWriter& end_array() {
        out_.push_back(']');
        pop();
        return *this;
    }
    // An object key; the next call writes its value.
    JsonWriter& key(std::string_view k) {
        separate();
        append_escaped(k);
        out_.push_back(':');
        after_key_ = true;
        return *this;
    }

    JsonWriter& string(std::string_view s) {
        separate();
        append_escaped(s);
        return *this;
    }
    // A string, or null when empty.
    JsonWriter& string_or_null(std::string_view s) { return s.empty() ? null() : string(s); }
    JsonWriter& boolean(bool b) {
        separate();
        out_ += b ? "true" : "false";
        return *this;
    }
    JsonWriter& null() {
        separate();
        out_ += "null";
        return *this;
    }
    JsonWriter& integer(std::int64_t v) {
        separate();
        fmt::format_to(std::back_inserter(out_), "{}", v);
        return *this;
    }
    // Always reads back as a float in Python (1.0, not 1); NaN/inf as null.
    JsonWriter& number(double v) {
        if (!std::isfinite(v)) return null();
        separate();
        const std::size_t start = out_.size();
        fmt::format_to(std::back_inserter(out_), "{}", v);
        if (out_.find_first_of(".eEn", start) == std::string::npos) out_ += ".0";
        return *this;
    }
    JsonWriter& number_or_null(const std::optional<double>& v) { return v ? number(*v) : null(); }
    // ISO-8601 UTC with microseconds and 'Z'.
    JsonWriter& time(Timestamp t) { return string(format_iso8601(t)); }
    JsonWriter& time_or_null(const std::optional<Timestamp>& t) { return t ? time(*t) : null(); }
    // Already-serialized JSON (a stored document such as configuration or params), verbatim.
    JsonWriter& raw(std::string_view json) {
        separate();
        out_ += json;
        return *this;
    }

    const std::string& str() const& { return out_; }
    std::string str() && { return std::move(out_); }

    // Appends `s` quoted and escaped to `out`.
    static void append_escaped(std::string& out, std::string_view s) {
        static constexpr char kHex[] = "0123456789abcdef";
        out.push_back('"');
        std::size_t run = 0;  // start of the current run of bytes that need no escape
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
            out.append(s.data() + run, i - run);
            run = i + 1;
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                default:
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xf]);
            }
        }
        out.append(s.data() + run, s.size() - run);
        out.push_back('"');
    }

private:
    void append_escaped(std::string_view s) { append_escaped(out_, s); }

    // Writes the ',' a new element needs (none right after '{', '[' or a key).
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (depth_ > 0) {
            const std::uint64_t bit = std::uint64_t{1} << ((depth_ - 1) & 63);
            if (has_element_ & bit) {
                out_.push_back(',');
            } else {
                has_element_ |= bit;
            }
        }
    }
    void push() {
        ++depth_;
        has_element_ &= ~(std::uint64_t{1} << ((depth_ - 1) & 63));
    }
    void pop() {
        if (depth_ > 0) --depth_;
    }

    std::string out_;
    int depth_ = 0;
    std::uint64_t has_element_ = 0;  // per depth (up to 64): does this level have an element yet
    bool after_key_ = false;
};

}  // namespace qrt::api
