// The tokenizer shared by the OpenQASM 3 and OpenQASM 2 readers.
//
// Tokens are views into the caller's text (no allocation per token); a token carries its byte
// offset, and line:column is computed from the offset only when an error is reported. Numbers
// are converted with std::from_chars. Comments (// and /* */) and whitespace are skipped.
// A Lexer is a small value (copy it to look ahead); not synchronised.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace qrt::formats::qasm {

enum class Tok : std::uint8_t {
    kEnd,
    kIdent,      // identifiers and keywords (UTF-8 letters allowed: π, θ, ...)
    kInt,        // 42, 1_000 (value in ival and num)
    kFloat,      // 1.5, .5, 1., 1e-3, 1.e-10
    kTiming,     // 100dt, 1.5us, 20µs: number in num, unit in unit
    kString,     // "stdgates.inc" (text excludes the quotes)
    kHwQubit,    // $3 (index in ival)
    kLParen, kRParen, kLBracket, kRBracket, kLBrace, kRBrace,
    kSemicolon, kComma, kColon, kArrow, kAt, kAssign,
    kEq, kNe, kLt, kLe, kGt, kGe,
    kPlus, kMinus, kStar, kStarStar, kSlash, kPercent,
    kBang, kTilde, kAmp, kAmpAmp, kPipe, kPipePipe, kCaret, kShl, kShr,
};

// A short human name for error messages: "';'", "identifier", "end of input".
std::string_view tok_name(Tok t);

struct Token {
    Tok kind = Tok::kEnd;
    std::uint32_t offset = 0;  // byte offset of the first character
    std::uint32_t length = 0;
    double num = 0;            // kInt, kFloat, kTiming
    std::uint64_t ival = 0;    // kInt, kHwQubit
    std::string_view text;     // the token's source text (kString: without quotes)
    std::string_view unit;     // kTiming: "dt", "ns", "us", "ms", "s" (µs/μs become "us")
};

// Thrown inside the readers, converted to a Status at their entry point.
struct ParseError {
    std::uint32_t offset;
    std::string message;
    bool unimplemented = false;  // a recognised feature that qrt refuses (kUnimplemented)
};

// "line:column" (both 1-based; columns count Unicode code points) of a byte offset.
std::string line_col(std::string_view text, std::uint32_t offset);

class Lexer {
public:
    explicit Lexer(std::string_view text) : text_(text) {}

    // Scans the next token. Throws ParseError on a malformed token (unterminated comment or
    // string, bad number, stray character).
    Token next();
    std::string_view text() const { return text_; }

private:
    void skip_space_and_comments();
    Token number(std::uint32_t start);

    std::string_view text_;
    std::uint32_t pos_ = 0;
};

}  // namespace qrt::formats::qasm
