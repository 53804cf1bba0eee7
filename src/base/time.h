// Time for qrt: a microsecond Timestamp on the Unix epoch, Durations, and the Clock seam.
//
// Every scheduling rule reads time through a Clock, so tests and `qrt simulate` run on a
// VirtualClock that moves only when told; the server uses SystemClock. SystemClock is
// thread-safe; VirtualClock is thread-safe too (atomic), though tests normally drive it from
// one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace qrt {

using Duration = std::chrono::microseconds;
using Timestamp = std::chrono::sys_time<Duration>;

// Seconds (possibly fractional) as a Duration, rounded to the microsecond.
constexpr Duration seconds_d(double s) {
    return Duration(static_cast<std::int64_t>(s * 1e6 + (s >= 0 ? 0.5 : -0.5)));
}
// A Duration as fractional seconds.
constexpr double to_seconds(Duration d) { return static_cast<double>(d.count()) / 1e6; }
// A Timestamp as fractional seconds since the Unix epoch.
constexpr double to_seconds(Timestamp t) { return to_seconds(t.time_since_epoch()); }
constexpr Timestamp from_micros(std::int64_t us) { return Timestamp(Duration(us)); }

// ISO-8601 UTC with microseconds: "2026-11-21T08:09:04.123456Z".
std::string format_iso8601(Timestamp t);

class Clock {
public:
    virtual ~Clock() = default;
    virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
public:
    Timestamp now() const override;
};

// A clock that only moves when told. Starts at `start` (default: 2026-01-01T00:00:00Z, so that
// virtual runs print plausible dates).
class VirtualClock final : public Clock {
public:
    static constexpr Timestamp kDefaultStart = from_micros(1767225600LL * 1'000'000);

    explicit VirtualClock(Timestamp start = kDefaultStart)
        : now_(start.time_since_epoch().count()) {}
    Timestamp now() const override { return from_micros(now_.load()); }
    // Moves to `t`; a clock never goes back, so an earlier `t` is ignored.
    void set(Timestamp t);
    void advance(Duration d) { set(now() + d); }

private:
    std::atomic<std::int64_t> now_;
};

}  // namespace qrt
