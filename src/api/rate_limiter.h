// Request rate limiting: one token bucket per key (a user id once authenticated, else the peer
// address), `rate` tokens per second up to `burst`. A request takes one token; with none left it
// is refused with 429 and a Retry-After of the seconds until a token is back.
//
// Time comes from the Clock, so tests drive it by hand. Idle buckets are dropped once they
// would be full again (they carry no state then), so the map stays as small as the set of
// recently active keys.
//
// Thread safety: all methods may be called from any thread (the map is sharded, one mutex each).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/time.h"

namespace qrt::api {

class RateLimiter {
public:
    // rate <= 0 disables limiting (every acquire succeeds).
    RateLimiter(const Clock& clock, double rate_per_s, double burst);

    struct Decision {
        bool allowed = true;
        int retry_after_s = 0;  // when refused: whole seconds (>= 1) until a token is back
    };

    // Takes one token from `key`'s bucket.
    Decision acquire(std::string_view key);

    // Number of buckets held (tests).
    std::size_t size() const;

private:
    struct Bucket {
        double tokens = 0;
        Timestamp updated{};
    };
    struct Shard {
        mutable std::mutex mu;
        std::unordered_map<std::string, Bucket> buckets;
        std::size_t acquires_since_prune = 0;
    };
    static constexpr std::size_t kShards = 16;
    static constexpr std::size_t kPruneEvery = 4096;

    void prune(Shard& shard, Timestamp now);

    const Clock& clock_;
    const double rate_;
    const double burst_;
    std::array<Shard, kShards> shards_;
};

}  // namespace qrt::api
