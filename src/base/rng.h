// Rng: a small, fast, seeded pseudo-random generator for simulation and tests.
//
// The same seed gives the same sequence on every platform and build (xoshiro256** seeded through
// splitmix64; the distributions below are written out here rather than taken from <random>,
// whose distributions differ between standard libraries). Rng also satisfies
// UniformRandomBitGenerator, so it can drive <random> distributions where cross-platform
// reproducibility does not matter. Print seed() when a randomized test fails.
//
// Not for secrets: use os_random_bytes() for anything an attacker must not guess.
// Thread-safety: an Rng is a plain value; give each thread its own (see fork()).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace qrt {

class Rng {
public:
    using result_type = std::uint64_t;

    explicit Rng(std::uint64_t seed);

    // The seed this generator was built from (not its current state).
    std::uint64_t seed() const { return seed_; }

    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
    // The next 64 uniformly random bits.
    result_type operator()() { return next(); }
    result_type next();

    // Uniform in [0, 1), 53 bits of precision.
    double uniform();
    // Uniform integer in [lo, hi], both inclusive, without modulo bias. Requires lo <= hi.
    std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);
    // True with probability p (clamped to [0, 1]).
    bool bernoulli(double p);
    // Exponentially distributed with the given mean (> 0): inter-arrival times of a Poisson
    // process.
    double exponential(double mean);
    // Normally distributed (Box-Muller; one draw per call, no hidden cached value). sd >= 0.
    double normal(double mean, double sd);
    // Log-normal with the given mean (> 0) and coefficient of variation cv = sd / mean (>= 0):
    // positive, right-skewed, e.g. job run times. cv == 0 returns mean exactly.
    double lognormal_with_mean(double mean, double cv);

    // A new generator whose seed is drawn from this one: independent streams for sub-tasks
    // that stay reproducible from the parent's seed.
    Rng fork();

private:
    std::uint64_t seed_;
    std::array<std::uint64_t, 4> s_{};
};

// Fills `out` with bytes from the operating system's CSPRNG (getrandom(2), falling back to
// /dev/urandom). Aborts the process if neither is available: nothing safe can be done without it.
void os_random_bytes(void* out, std::size_t n);
// 64 bits from os_random_bytes(); a good default seed for an Rng whose seed is then printed.
std::uint64_t os_random_u64();

}  // namespace qrt
