// Kept apart from <qrt/qrt.h>: base's parse_duration and the public one take the same parameters.
#include <string_view>

#include "base/duration.h"
#include "base/status.h"
#include "base/time.h"

namespace qrt::client {

Result<double> duration_seconds(std::string_view text) {
    Result<Duration> d = parse_duration(text);
    if (!d.ok()) return d.status();
    return to_seconds(*d);
}

}  // namespace qrt::client
