#include "base/base64.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>

namespace qrt {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kInvalid = 0xFF;
constexpr std::uint8_t kPad = 0xFE;
constexpr std::uint8_t kSkip = 0xFD;

constexpr std::array<std::uint8_t, 256> make_table() {
    std::array<std::uint8_t, 256> t{};
    for (auto& v : t) v = kInvalid;
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
        t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
    }
    t[static_cast<unsigned char>('=')] = kPad;
    t[static_cast<unsigned char>('\n')] = kSkip;
    t[static_cast<unsigned char>('\r')] = kSkip;
    return t;
}

constexpr std::array<std::uint8_t, 256> kTable = make_table();

std::string describe_char(unsigned char c) {
    if (c >= 0x20 && c < 0x7F) return fmt::format("'{}' (0x{:02x})", static_cast<char>(c), c);
    return fmt::format("0x{:02x}", c);
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v =
            (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back(kAlphabet[v & 63]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t{p[i]} << 16;
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back('=');
    }
    return out;
}

Result<std::string> base64_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t group = 0;  // bits of the current 4-character group
    int filled = 0;           // characters in the current group
    int pads = 0;             // '=' seen (only at the end)
    std::size_t pad_pos = 0;
    std::size_t count = 0;  // characters other than line breaks
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    // Fast path: four alphabet characters at a time.
    while (i + 4 <= n) {
        const std::uint8_t a = kTable[p[i]], b = kTable[p[i + 1]], c = kTable[p[i + 2]],
                           d = kTable[p[i + 3]];
        if ((a | b | c | d) & 0xC0) break;  // anything special: finish on the slow path
        const std::uint32_t v =
            (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) | (std::uint32_t{c} << 6) | d;
        out.push_back(static_cast<char>(v >> 16));
        out.push_back(static_cast<char>((v >> 8) & 0xFF));
        out.push_back(static_cast<char>(v & 0xFF));
        i += 4;
        count += 4;
    }
    for (; i < n; ++i) {
        const std::uint8_t v = kTable[p[i]];
        if (v == kSkip) continue;
        if (v == kInvalid) {
            return invalid_argument(
                fmt::format("base64: invalid character {} at position {}", describe_char(p[i]), i));
        }
        ++count;
        if (v == kPad) {
            if (pads == 0) pad_pos = i;
            ++pads;
            if (filled + pads > 4 || filled < 2) {
                return invalid_argument(
                    fmt::format("base64: misplaced padding '=' at position {}", i));
            }
            continue;
        }
        if (pads > 0) {
            return invalid_argument(fmt::format(
                "base64: data after padding at position {} (padding began at position {})", i,
                pad_pos));
        }
        group = (group << 6) | v;
        if (++filled == 4) {
            out.push_back(static_cast<char>(group >> 16));
            out.push_back(static_cast<char>((group >> 8) & 0xFF));
            out.push_back(static_cast<char>(group & 0xFF));
            group = 0;
            filled = 0;
        }
    }
    if (count % 4 != 0) {
        return invalid_argument(fmt::format(
            "base64: truncated input: {} characters is not a multiple of 4 (missing padding?)",
            count));
    }
    if (filled == 2) {
        out.push_back(static_cast<char>(group >> 4));
    } else if (filled == 3) {
        out.push_back(static_cast<char>(group >> 10));
        out.push_back(static_cast<char>((group >> 2) & 0xFF));
    }
    return out;
}

}  // namespace qrt
