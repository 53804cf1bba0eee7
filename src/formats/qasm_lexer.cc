#include "formats/qasm_lexer.h"

#include <charconv>
#include <cstring>

namespace qrt::formats::qasm {

namespace {

bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_ident_char(unsigned char c) { return is_ident_start(c) || is_digit(c); }

}  // namespace

std::string_view tok_name(Tok t) {
    switch (t) {
        case Tok::kEnd: return "end of input";
        case Tok::kIdent: return "identifier";
        case Tok::kInt: return "integer";
        case Tok::kFloat: return "number";
        case Tok::kTiming: return "duration";
        case Tok::kString: return "string";
        case Tok::kHwQubit: return "physical qubit";
        case Tok::kLParen: return "'('";
        case Tok::kRParen: return "')'";
        case Tok::kLBracket: return "'['";
        case Tok::kRBracket: return "']'";
        case Tok::kLBrace: return "'{'";
        case Tok::kRBrace: return "'}'";
        case Tok::kSemicolon: return "';'";
        case Tok::kComma: return "','";
        case Tok::kColon: return "':'";
        case Tok::kArrow: return "'->'";
        case Tok::kAt: return "'@'";
        case Tok::kAssign: return "'='";
        case Tok::kEq: return "'=='";
        case Tok::kNe: return "'!='";
        case Tok::kLt: return "'<'";
        case Tok::kLe: return "'<='";
        case Tok::kGt: return "'>'";
        case Tok::kGe: return "'>='";
        case Tok::kPlus: return "'+'";
        case Tok::kMinus: return "'-'";
        case Tok::kStar: return "'*'";
        case Tok::kStarStar: return "'**'";
        case Tok::kSlash: return "'/'";
        case Tok::kPercent: return "'%'";
        case Tok::kBang: return "'!'";
        case Tok::kTilde: return "'~'";
        case Tok::kAmp: return "'&'";
        case Tok::kAmpAmp: return "'&&'";
        case Tok::kPipe: return "'|'";
        case Tok::kPipePipe: return "'||'";
        case Tok::kCaret: return "'^'";
        case Tok::kShl: return "'<<'";
        case Tok::kShr: return "'>>'";
    }
    return "token";
}

std::string line_col(std::string_view text, std::uint32_t offset) {
    if (offset > text.size()) offset = static_cast<std::uint32_t>(text.size());
    std::size_t line = 1;
    std::size_t col = 1;
    for (std::size_t i = 0; i < offset; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++line;
            col = 1;
        } else if ((c & 0xC0) != 0x80) {  // count code points, not UTF-8 continuation bytes
            ++col;
        }
    }
    return std::to_string(line) + ":" + std::to_string(col);
}

void Lexer::skip_space_and_comments() {
    const std::size_t n = text_.size();
    while (pos_ < n) {
        const char c = text_[pos_];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            ++pos_;
        } else if (c == '/' && pos_ + 1 < n && text_[pos_ + 1] == '/') {
            const std::size_t eol = text_.find('\n', pos_);
            pos_ = eol == std::string_view::npos ? static_cast<std::uint32_t>(n)
                                                 : static_cast<std::uint32_t>(eol + 1);
        } else if (c == '/' && pos_ + 1 < n && text_[pos_ + 1] == '*') {
            const std::size_t end = text_.find("*/", pos_ + 2);
            if (end == std::string_view::npos) {
                throw ParseError{pos_, "unterminated block comment (missing '*/')"};
            }
            pos_ = static_cast<std::uint32_t>(end + 2);
        } else {
            return;
        }
    }
}

Token Lexer::number(std::uint32_t start) {
    const std::size_t n = text_.size();
    std::size_t p = start;
    bool is_float = false;
    bool underscores = false;
    auto digits = [&] {
        while (p < n && (is_digit(static_cast<unsigned char>(text_[p])) ||
                         (text_[p] == '_' && p + 1 < n &&
                          is_digit(static_cast<unsigned char>(text_[p + 1]))))) {
            if (text_[p] == '_') underscores = true;
            ++p;
        }
    };
    digits();
    if (p < n && text_[p] == '.') {
        is_float = true;
        ++p;
        digits();
    }
    if (p < n && (text_[p] == 'e' || text_[p] == 'E')) {
        std::size_t q = p + 1;
        if (q < n && (text_[q] == '+' || text_[q] == '-')) ++q;
        if (q < n && is_digit(static_cast<unsigned char>(text_[q]))) {
            is_float = true;
            p = q;
            digits();
        }
    }
    Token t;
    t.offset = start;
    std::string_view lit = text_.substr(start, p - start);
    char buf[128];
    if (underscores) {
        if (lit.size() >= sizeof buf) throw ParseError{start, "number literal too long"};
        std::size_t k = 0;
        for (char c : lit) {
            if (c != '_') buf[k++] = c;
        }
        lit = std::string_view(buf, k);
    }
    // from_chars rejects "1." and ".5" forms only if digits are missing on both sides.
    if (is_float || lit.empty()) {
        const char* first = lit.data();
        const char* last = lit.data() + lit.size();
        double v = 0;
        auto [ptr, ec] = std::from_chars(first, last, v);
        if (ec == std::errc::result_out_of_range) {
            throw ParseError{start, "number out of range: '" + std::string(lit) + "'"};
        }
        if (ec != std::errc() || ptr != last) {
            throw ParseError{start, "malformed number '" + std::string(lit) + "'"};
        }
        t.kind = Tok::kFloat;
        t.num = v;
    } else {
        std::uint64_t v = 0;
        auto [ptr, ec] = std::from_chars(lit.data(), lit.data() + lit.size(), v);
        if (ec != std::errc() || ptr != lit.data() + lit.size()) {
            // Too large for 64 bits: keep it as a real number.
            double d = 0;
            auto r = std::from_chars(lit.data(), lit.data() + lit.size(), d);
            if (r.ec != std::errc()) {
                throw ParseError{start, "malformed number '" + std::string(lit) + "'"};
            }
            t.kind = Tok::kFloat;
            t.num = d;
        } else {
            t.kind = Tok::kInt;
            t.ival = v;
            t.num = static_cast<double>(v);
        }
    }
    // A timing unit glued to the number makes a duration literal.
    auto unit_here = [&](std::string_view u) {
        if (text_.compare(p, u.size(), u) != 0) return false;
        const std::size_t after = p + u.size();
        return after >= n || !is_ident_char(static_cast<unsigned char>(text_[after]));
    };
    static constexpr std::string_view kUnits[][2] = {
        {"dt", "dt"}, {"ns", "ns"}, {"us", "us"}, {"\xC2\xB5s", "us"}, {"\xCE\xBCs", "us"},
        {"ms", "ms"}, {"s", "s"},
    };
    if (p < n && is_ident_start(static_cast<unsigned char>(text_[p]))) {
        bool found = false;
        for (const auto& u : kUnits) {
            if (unit_here(u[0])) {
                t.kind = Tok::kTiming;
                t.unit = u[1];
                p += u[0].size();
                found = true;
                break;
            }
        }
        if (!found) {
            std::size_t q = p;
            while (q < n && is_ident_char(static_cast<unsigned char>(text_[q]))) ++q;
            throw ParseError{start, "malformed number '" +
                                        std::string(text_.substr(start, q - start)) + "'"};
        }
    }
    pos_ = static_cast<std::uint32_t>(p);
    t.length = static_cast<std::uint32_t>(p - start);
    t.text = text_.substr(start, p - start);
    return t;
}

Token Lexer::next() {
    skip_space_and_comments();
    const std::size_t n = text_.size();
    Token t;
    t.offset = pos_;
    if (pos_ >= n) {
        t.kind = Tok::kEnd;
        return t;
    }
    const std::uint32_t start = pos_;
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (is_ident_start(c)) {
        std::size_t p = pos_ + 1;
        while (p < n && is_ident_char(static_cast<unsigned char>(text_[p]))) ++p;
        t.kind = Tok::kIdent;
        t.length = static_cast<std::uint32_t>(p - pos_);
        t.text = text_.substr(pos_, t.length);
        pos_ = static_cast<std::uint32_t>(p);
        return t;
    }
    if (is_digit(c) || (c == '.' && pos_ + 1 < n &&
                        is_digit(static_cast<unsigned char>(text_[pos_ + 1])))) {
        return number(start);
    }
    auto two = [&](char second) { return pos_ + 1 < n && text_[pos_ + 1] == second; };
    auto make = [&](Tok k, std::uint32_t len) {
        t.kind = k;
        t.length = len;
        t.text = text_.substr(start, len);
        pos_ += len;
        return t;
    };
    switch (c) {
        case '(': return make(Tok::kLParen, 1);
        case ')': return make(Tok::kRParen, 1);
        case '[': return make(Tok::kLBracket, 1);
        case ']': return make(Tok::kRBracket, 1);
        case '{': return make(Tok::kLBrace, 1);
        case '}': return make(Tok::kRBrace, 1);
        case ';': return make(Tok::kSemicolon, 1);
        case ',': return make(Tok::kComma, 1);
        case ':': return make(Tok::kColon, 1);
        case '@': return make(Tok::kAt, 1);
        case '+': return make(Tok::kPlus, 1);
        case '%': return make(Tok::kPercent, 1);
        case '~': return make(Tok::kTilde, 1);
        case '^': return make(Tok::kCaret, 1);
        case '/': return make(Tok::kSlash, 1);
        case '-': return two('>') ? make(Tok::kArrow, 2) : make(Tok::kMinus, 1);
        case '*': return two('*') ? make(Tok::kStarStar, 2) : make(Tok::kStar, 1);
        case '=': return two('=') ? make(Tok::kEq, 2) : make(Tok::kAssign, 1);
        case '!': return two('=') ? make(Tok::kNe, 2) : make(Tok::kBang, 1);
        case '&': return two('&') ? make(Tok::kAmpAmp, 2) : make(Tok::kAmp, 1);
        case '|': return two('|') ? make(Tok::kPipePipe, 2) : make(Tok::kPipe, 1);
        case '<':
            if (two('=')) return make(Tok::kLe, 2);
            if (two('<')) return make(Tok::kShl, 2);
            return make(Tok::kLt, 1);
        case '>':
            if (two('=')) return make(Tok::kGe, 2);
            if (two('>')) return make(Tok::kShr, 2);
            return make(Tok::kGt, 1);
        case '$': {
            std::size_t p = pos_ + 1;
            while (p < n && is_digit(static_cast<unsigned char>(text_[p]))) ++p;
            if (p == pos_ + 1) throw ParseError{start, "expected a qubit number after '$'"};
            std::uint64_t v = 0;
            auto [ptr, ec] = std::from_chars(text_.data() + pos_ + 1, text_.data() + p, v);
            if (ec != std::errc() || v > 0xFFFFFFF0u) {
                throw ParseError{start, "physical qubit number too large"};
            }
            t.kind = Tok::kHwQubit;
            t.ival = v;
            t.length = static_cast<std::uint32_t>(p - pos_);
            t.text = text_.substr(pos_, t.length);
            pos_ = static_cast<std::uint32_t>(p);
            return t;
        }
        case '"':
        case '\'': {
            const std::size_t end = text_.find(static_cast<char>(c), pos_ + 1);
            const std::size_t eol = text_.find('\n', pos_ + 1);
            if (end == std::string_view::npos || (eol != std::string_view::npos && eol < end)) {
                throw ParseError{start, "unterminated string"};
            }
            t.kind = Tok::kString;
            t.text = text_.substr(pos_ + 1, end - pos_ - 1);
            t.length = static_cast<std::uint32_t>(end + 1 - pos_);
            pos_ = static_cast<std::uint32_t>(end + 1);
            return t;
        }
        default: break;
    }
    std::string shown = c >= 0x20 && c < 0x7F ? std::string(1, static_cast<char>(c))
                                              : "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) +
                                                    std::string(1, "0123456789abcdef"[c & 15]);
    throw ParseError{start, "unexpected character '" + shown + "'"};
}

}  // namespace qrt::formats::qasm
