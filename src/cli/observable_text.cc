#include "cli/observable_text.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <string>

namespace qrt::cli {

namespace {

class Reader {
public:
    explicit Reader(std::string_view text) : text_(text) {}

    void skip_spaces() {
        while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    }
    bool at_end() {
        skip_spaces();
        return pos_ == text_.size();
    }
    bool take(char c) {
        skip_spaces();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    [[noreturn]] void fail(std::string_view expected) const {
        throw Error(ErrorKind::kInvalidArgument,
                    fmt::format("--observable: expected {} at position {} in \"{}\"", expected,
                                pos_, text_));
    }
    // A number, if one starts here.
    std::optional<double> number() {
        skip_spaces();
        if (pos_ == text_.size()) return std::nullopt;
        char c = text_[pos_];
        if (std::isdigit(static_cast<unsigned char>(c)) == 0 && c != '.') return std::nullopt;
        double value = 0;
        auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), value);
        if (ec != std::errc()) fail("a number");
        pos_ = static_cast<std::size_t>(end - text_.data());
        return value;
    }
    std::string pauli() {
        skip_spaces();
        std::size_t start = pos_;
        while (pos_ < text_.size() &&
               std::string_view("IXYZ").find(text_[pos_]) != std::string_view::npos) {
            ++pos_;
        }
        if (pos_ == start) fail("a Pauli string (I, X, Y, Z)");
        return std::string(text_.substr(start, pos_ - start));
    }
    std::size_t pos() const { return pos_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

Observable parse_observable(std::string_view text) {
    Reader r(text);
    Observable out;
    bool first = true;
    while (first || !r.at_end()) {
        double sign = 1;
        if (r.take('-')) {
            sign = -1;
        } else if (!r.take('+') && !first) {
            r.fail("'+' or '-'");
        }
        double coefficient = 1;
        if (auto x = r.number()) {
            coefficient = *x;
            r.take('*');
        }
        std::size_t at = r.pos();
        std::string label = r.pauli();
        if (!out.empty() && label.size() != out.front().first.size()) {
            throw Error(
                ErrorKind::kInvalidArgument,
                fmt::format("--observable: \"{}\" at position {} has {} qubits, \"{}\" "
                            "has {}",
                            label, at, label.size(), out.front().first, out.front().first.size()));
        }
        out.emplace_back(std::move(label), sign * coefficient);
        first = false;
    }
    return out;
}

}  // namespace qrt::cli
