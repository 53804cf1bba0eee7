// Ids for jobs, sessions and other records: unguessable, and sorted by creation time.
//
// Layout (all lower-case hex after the caller's prefix):
//
//     <prefix><12 hex: Unix time in ms><4 hex: counter><16 hex: random>
//     e.g. "job_" "019a8f3c2b10" "0000" "5f1c09ab33d2e871"
//
// The time is big-endian, so for one prefix the lexical order of ids is their creation order
// (up to the ms, and exactly within one generator: the counter orders ids of the same ms, and a
// generator never goes back even if its clock does). The 64 random bits make ids unguessable:
// they come from the OS CSPRNG, or from a seeded Rng in the deterministic variant used by tests
// and `qrt simulate`. docs/adr/0002-time-and-ids.md says why.
//
// Thread-safety: new_id() and IdGenerator::next() may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/rng.h"
#include "base/time.h"

namespace qrt {

// Characters after the prefix: 12 (time) + 4 (counter) + 16 (random).
inline constexpr std::size_t kIdBodyLength = 32;

// A new id with OS randomness, ordered after every earlier id that this function made in this
// process (a process-wide counter breaks ties within one ms).
std::string new_id(std::string_view prefix, Timestamp now);

// The creation time (ms precision) written in `id`, or nullopt if `id` is not `prefix` followed
// by a well-formed id body.
std::optional<Timestamp> id_timestamp(std::string_view id, std::string_view prefix);

// Makes ids from a Clock. Ids from one generator are strictly increasing, even when the clock
// stands still (a counter per ms; when it runs out the time part moves on by one ms) or goes
// back (the generator keeps its last time).
class IdGenerator {
public:
    // Random bits from the OS CSPRNG: for the server.
    explicit IdGenerator(const Clock& clock);
    // Random bits from Rng(seed): the same clock readings give the same ids. For tests and
    // simulation only: these ids are guessable.
    IdGenerator(const Clock& clock, std::uint64_t seed);

    IdGenerator(const IdGenerator&) = delete;
    IdGenerator& operator=(const IdGenerator&) = delete;

    std::string next(std::string_view prefix);

private:
    const Clock& clock_;
    std::mutex mu_;
    std::optional<Rng> rng_;  // empty: OS randomness
    std::int64_t last_ms_ = -1;
    std::uint32_t counter_ = 0;
};

}  // namespace qrt
