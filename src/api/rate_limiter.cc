#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace qrt::api {

RateLimiter::RateLimiter(const Clock& clock, double rate_per_s, double burst)
    : clock_(clock), rate_(rate_per_s), burst_(std::max(1.0, burst)) {}

RateLimiter::Decision RateLimiter::acquire(std::string_view key) {
    if (rate_ <= 0) return {};
    const Timestamp now = clock_.now();
    Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
    std::lock_guard lock(shard.mu);
    if (++shard.acquires_since_prune >= kPruneEvery) prune(shard, now);

    auto it = shard.buckets.find(std::string(key));
    if (it == shard.buckets.end()) {
        it = shard.buckets.emplace(std::string(key), Bucket{burst_, now}).first;
    }
    Bucket& b = it->second;
    if (now > b.updated) {
        b.tokens = std::min(burst_, b.tokens + to_seconds(now - b.updated) * rate_);
        b.updated = now;
    }
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return {};
    }
    const double wait_s = (1.0 - b.tokens) / rate_;
    return {false, std::max(1, static_cast<int>(std::ceil(wait_s)))};
}

std::size_t RateLimiter::size() const {
    std::size_t n = 0;
    for (const Shard& s : shards_) {
        std::lock_guard lock(s.mu);
        n += s.buckets.size();
    }
    return n;
}

void RateLimiter::prune(Shard& shard, Timestamp now) {
    shard.acquires_since_prune = 0;
    std::erase_if(shard.buckets, [&](const auto& entry) {
        const Bucket& b = entry.second;
        return b.tokens + to_seconds(now - b.updated) * rate_ >= burst_;
    });
}

}  // namespace qrt::api
