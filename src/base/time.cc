#include "base/time.h"

#include <fmt/format.h>

namespace qrt {

std::string format_iso8601(Timestamp t) {
    // floor, not truncation, so instants before 1970 land on the right day.
    const std::chrono::sys_days day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss<Duration> hms{t - day};
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}Z", int{ymd.year()},
                       unsigned{ymd.month()}, unsigned{ymd.day()}, hms.hours().count(),
                       hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

Timestamp SystemClock::now() const {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

void VirtualClock::set(Timestamp t) {
    const std::int64_t target = t.time_since_epoch().count();
    std::int64_t current = now_.load();
    // A clock never goes back: only ever raise the value, even under concurrent setters.
    while (current < target && !now_.compare_exchange_weak(current, target)) {
    }
}

}  // namespace qrt
