#include "base/id.h"

#include <array>

namespace qrt {
namespace {

constexpr std::uint32_t kCounterLimit = 1u << 16;  // 4 hex digits
constexpr std::int64_t kMaxMs = (1LL << 48) - 1;   // 12 hex digits: year 10889
constexpr std::string_view kHex = "0123456789abcdef";

// Picks (ms, counter) for the next id so that the pair only ever grows.
void advance(std::int64_t now_ms, std::int64_t& last_ms, std::uint32_t& counter) {
    if (now_ms > last_ms) {
        last_ms = now_ms;
        counter = 0;
    } else if (++counter == kCounterLimit) {
        // 65536 ids in one ms, or a clock that went back: borrow the next ms.
        ++last_ms;
        counter = 0;
    }
}

void append_hex(std::string& out, std::uint64_t v, int digits) {
    for (int i = digits - 1; i >= 0; --i) out += kHex[(v >> (4 * i)) & 0xf];
}

std::string format_id(std::string_view prefix, std::int64_t ms, std::uint32_t counter,
                      std::uint64_t random) {
    std::string out;
    out.reserve(prefix.size() + kIdBodyLength);
    out += prefix;
    // Times before 1970 or after year 10889 are clamped; ordering stays monotone.
    const std::int64_t clamped = ms < 0 ? 0 : (ms > kMaxMs ? kMaxMs : ms);
    append_hex(out, static_cast<std::uint64_t>(clamped), 12);
    append_hex(out, counter, 4);
    append_hex(out, random, 16);
    return out;
}

std::int64_t to_ms(Timestamp t) {
    return std::chrono::floor<std::chrono::milliseconds>(t).time_since_epoch().count();
}

}  // namespace

std::string new_id(std::string_view prefix, Timestamp now) {
    static std::mutex mu;
    static std::int64_t last_ms = -1;
    static std::uint32_t counter = 0;
    std::int64_t ms = 0;
    std::uint32_t c = 0;
    {
        std::lock_guard lock(mu);
        advance(to_ms(now), last_ms, counter);
        ms = last_ms;
        c = counter;
    }
    return format_id(prefix, ms, c, os_random_u64());
}

std::optional<Timestamp> id_timestamp(std::string_view id, std::string_view prefix) {
    if (id.size() != prefix.size() + kIdBodyLength || id.substr(0, prefix.size()) != prefix) {
        return std::nullopt;
    }
    const std::string_view body = id.substr(prefix.size());
    std::int64_t ms = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const auto digit = kHex.find(body[i]);
        if (digit == std::string_view::npos) return std::nullopt;
        if (i < 12) ms = ms * 16 + static_cast<std::int64_t>(digit);
    }
    return Timestamp(std::chrono::milliseconds(ms));
}

IdGenerator::IdGenerator(const Clock& clock) : clock_(clock) {}

IdGenerator::IdGenerator(const Clock& clock, std::uint64_t seed) : clock_(clock), rng_(seed) {}

std::string IdGenerator::next(std::string_view prefix) {
    std::lock_guard lock(mu_);
    advance(to_ms(clock_.now()), last_ms_, counter_);
    const std::uint64_t random = rng_ ? rng_->next() : os_random_u64();
    return format_id(prefix, last_ms_, counter_, random);
}

}  // namespace qrt
