#include "base/zlib.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <climits>

namespace qrt {

std::string zlib_compress(std::string_view bytes, int level) {
    // compressBound fits in uLong; inputs here are far below 4 GiB.
    uLongf bound = compressBound(static_cast<uLong>(bytes.size()));
    std::string out(bound, '\0');
    const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &bound,
                             reinterpret_cast<const Bytef*>(bytes.data()),
                             static_cast<uLong>(bytes.size()), std::clamp(level, 0, 9));
    if (rc != Z_OK) return {};  // only Z_MEM_ERROR is possible with a correct bound
    out.resize(bound);
    return out;
}

Result<std::string> zlib_decompress(std::string_view data, std::size_t max_output) {
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) return internal_error("zlib: inflateInit failed");
    struct Guard {
        z_stream* s;
        ~Guard() { inflateEnd(s); }
    } guard{&zs};

    std::string out;
    // Serialized circuits compress about 5-10x; start there and double.
    std::size_t capacity = std::min(max_output, std::max<std::size_t>(data.size() * 8, 4096));
    out.resize(capacity);
    std::size_t produced = 0;

    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    std::size_t in_left = data.size();
    auto truncated = [&]() -> Status {
        return invalid_argument(fmt::format(
            "zlib: truncated stream: input ended after {} bytes without the end of the stream",
            data.size()));
    };
    auto corrupt = [&](int rc) -> Status {
        const std::size_t at = data.size() - in_left - zs.avail_in;
        if (rc == Z_NEED_DICT) {
            return invalid_argument(
                fmt::format("zlib: stream needs a preset dictionary (at input byte {})", at));
        }
        if (rc == Z_MEM_ERROR) return internal_error("zlib: out of memory");
        return invalid_argument(fmt::format("zlib: corrupt stream at input byte {}: {}", at,
                                            zs.msg ? zs.msg : "inflate error"));
    };
    for (;;) {
        if (zs.avail_in == 0 && in_left > 0) {
            const auto chunk = static_cast<uInt>(std::min<std::size_t>(in_left, UINT_MAX));
            zs.avail_in = chunk;
            in_left -= chunk;
        }
        if (produced == out.size()) {
            if (out.size() < max_output) {
                out.resize(std::min(max_output, std::max<std::size_t>(out.size() * 2, 4096)));
            } else {
                // Full at the cap: the stream may still end here without more output.
                char probe = 0;
                zs.next_out = reinterpret_cast<Bytef*>(&probe);
                zs.avail_out = 1;
                const int rc = inflate(&zs, Z_NO_FLUSH);
                if (zs.avail_out == 0) {
                    return Status(
                        ErrorCode::kResourceExhausted,
                        fmt::format("zlib: decompressed data exceeds the limit of {} bytes",
                                    max_output));
                }
                if (rc == Z_STREAM_END) break;
                if (rc == Z_OK) continue;
                if (rc == Z_BUF_ERROR) {
                    if (zs.avail_in == 0 && in_left == 0) return truncated();
                    continue;
                }
                return corrupt(rc);
            }
        }
        const auto room = static_cast<uInt>(std::min<std::size_t>(out.size() - produced, UINT_MAX));
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        zs.avail_out = room;
        const int rc = inflate(&zs, Z_NO_FLUSH);
        produced += room - zs.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc == Z_OK) continue;
        if (rc == Z_BUF_ERROR) {
            // No progress possible: out of input (truncated) or out of output room (loop grows it).
            if (zs.avail_in == 0 && in_left == 0) return truncated();
            continue;
        }
        return corrupt(rc);
    }
    const std::size_t consumed = data.size() - in_left - zs.avail_in;
    if (consumed != data.size()) {
        return invalid_argument(fmt::format(
            "zlib: {} unexpected bytes after the end of the stream (which ends at byte {})",
            data.size() - consumed, consumed));
    }
    out.resize(produced);
    return out;
}

}  // namespace qrt
