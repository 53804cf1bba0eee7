// libFuzzer target for the transport-free request handling (http_request.h): the request
// target split, route matching, query/form decoding, the id check and the ISO-8601 reader.
// Input: byte 0 picks the method, the rest up to the first '\n' is the request target, the rest
// after it is read as a form body and as a date-time. Checks properties, not just "no crash":
// a matched path parameter is one segment of the path, a decoded query is never longer than its
// text, and a parsed date-time round-trips through format_iso8601.
//
// Needs only src/api/http_request.cc and base (scripts/fuzz must add the former to its objects).
#include "api/http_request.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace qrt;
using namespace qrt::api;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    constexpr Method kMethods[] = {Method::kGet,   Method::kPost,   Method::kPut,
                                   Method::kPatch, Method::kDelete, Method::kOther};
    const Method method = kMethods[data[0] % 6];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::size_t nl = text.find('\n');
    const std::string_view target = text.substr(0, nl);
    const std::string_view rest =
        nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);

    Result<Target> t = split_target(target);
    if (t.ok()) {
        const RouteMatch m = match_route(method, t->path);
        if (m.kind == RouteMatch::Kind::kFound && !m.param.empty()) {
            // The parameter is a view of one whole segment of the path.
            if (m.param.data() < t->path.data() ||
                m.param.data() + m.param.size() > t->path.data() + t->path.size() ||
                m.param.find('/') != std::string_view::npos) {
                std::abort();
            }
            (void)is_safe_id(m.param);
        }
        if (m.kind == RouteMatch::Kind::kMethodNotAllowed && m.allow.empty()) std::abort();
        Result<QueryParams> q = parse_query(t->query);
        if (q.ok()) {
            std::size_t decoded = 0;
            for (const auto& [k, v] : q->items()) decoded += k.size() + v.size();
            if (decoded > t->query.size()) std::abort();
            if (q->items().size() > kMaxQueryParams) std::abort();
            if (auto limit = q->get("limit")) (void)parse_uint_param("limit", *limit, 1000);
            if (auto pending = q->get("pending")) (void)parse_bool_param("pending", *pending);
        }
    }

    Result<QueryParams> form = parse_query(rest);
    (void)form;
    Result<Timestamp> when = parse_iso8601(rest);
    if (when.ok()) {
        using namespace std::chrono;
        const year_month_day ymd{floor<days>(*when)};
        if (ymd.year() >= year{1} && ymd.year() <= year{9998}) {
            Result<Timestamp> again = parse_iso8601(format_iso8601(*when));
            if (!again.ok() || *again != *when) std::abort();
        }
    }
    return 0;
}
