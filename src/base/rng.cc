#include "base/rng.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>

namespace qrt {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// -Wpedantic: __int128 is a GCC/Clang extension, used for Lemire's 64x64->128 multiply.
__extension__ using u128 = unsigned __int128;

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

bool read_urandom(unsigned char* out, std::size_t n) {
    const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    std::size_t done = 0;
    while (done < n) {
        const ssize_t r = ::read(fd, out + done, n - done);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        done += static_cast<std::size_t>(r);
    }
    ::close(fd);
    return done == n;
}

}  // namespace

Rng::Rng(std::uint64_t seed) : seed_(seed) {
    // splitmix64 expands any seed (0 included) into a state that is never all zero.
    std::uint64_t x = seed;
    for (auto& word : s_) word = splitmix64(x);
}

std::uint64_t Rng::next() {
    // xoshiro256** 1.0 (Blackman and Vigna, public domain).
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::int64_t Rng::uniform_int(std::int64_t lo, std::int64_t hi) {
    assert(lo <= hi);
    // Width of the range minus one, computed in unsigned arithmetic so [INT64_MIN, INT64_MAX]
    // works.
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    std::uint64_t draw = 0;
    if (span == max()) {
        draw = next();
    } else {
        // Lemire's multiply-and-reject: unbiased, usually one multiplication.
        const std::uint64_t range = span + 1;
        u128 m = static_cast<u128>(next()) * range;
        auto low = static_cast<std::uint64_t>(m);
        if (low < range) {
            const std::uint64_t threshold = (0 - range) % range;
            while (low < threshold) {
                m = static_cast<u128>(next()) * range;
                low = static_cast<std::uint64_t>(m);
            }
        }
        draw = static_cast<std::uint64_t>(m >> 64);
    }
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + draw);
}

bool Rng::bernoulli(double p) { return uniform() < p; }

double Rng::exponential(double mean) {
    assert(mean > 0);
    // 1 - u is in (0, 1], so the logarithm is finite.
    return -mean * std::log(1.0 - uniform());
}

double Rng::normal(double mean, double sd) {
    assert(sd >= 0);
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    return mean + sd * z;
}

double Rng::lognormal_with_mean(double mean, double cv) {
    assert(mean > 0 && cv >= 0);
    if (cv == 0) return mean;
    // For X = exp(N(mu, sigma^2)): E[X] = exp(mu + sigma^2 / 2), cv^2 = exp(sigma^2) - 1.
    const double sigma2 = std::log1p(cv * cv);
    const double mu = std::log(mean) - sigma2 / 2;
    return std::exp(normal(mu, std::sqrt(sigma2)));
}

Rng Rng::fork() { return Rng(next()); }

void os_random_bytes(void* out, std::size_t n) {
    auto* p = static_cast<unsigned char*>(out);
    std::size_t done = 0;
    while (done < n) {
        const ssize_t r = ::getrandom(p + done, n - done, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        done += static_cast<std::size_t>(r);
    }
    if (done == n) return;
    if (read_urandom(p + done, n - done)) return;
    std::fputs("qrt: fatal: no operating-system randomness (getrandom, /dev/urandom)\n", stderr);
    std::abort();
}

std::uint64_t os_random_u64() {
    std::uint64_t v = 0;
    os_random_bytes(&v, sizeof v);
    return v;
}

}  // namespace qrt
