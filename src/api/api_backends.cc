// Api routes for backends (list, configuration, properties, status, defaults) and the
// instance usage.
#include <fmt/format.h>

#include "api/api_internal.h"
#include "api/json_encode.h"

namespace qrt::api {
namespace {

// Clients older than this API version (<= 0.40) expect {"devices": ["name", ...]}.
constexpr std::string_view kDeviceObjectsSince = "2025-01-01";

HttpResponse json_reply(std::string body) {
    HttpResponse r;
    r.body = std::move(body);
    return r;
}

// qrt keeps only each backend's current calibration; asking for another one is not found.
Status check_calibration_query(const QueryParams& q) {
    if (const auto id = q.get("calibration_id")) {
        return not_found(fmt::format(
            "calibration \"{}\" not found: qrt serves only each backend's current calibration; "
            "leave calibration_id out",
            id->substr(0, 128)));
    }
    return {};
}

}  // namespace

Api::Reply Api::list_backends(Context& ctx) {
    const std::string_view version = ctx.request.api_version;
    // Dates compare as text (YYYY-MM-DD); a missing header means the newest shape.
    const bool names_only = !version.empty() && version < kDeviceObjectsSince;
    return json_reply(backends_json(runtime_.backends(), names_only));
}

Api::Reply Api::backend_configuration(Context& ctx) {
    Result<std::string> name = path_id(ctx, "backend name");
    if (!name.ok()) return name.status();
    QRT_RETURN_IF_ERROR(check_calibration_query(ctx.query));
    Result<std::string> json = runtime_.configuration_json(*name);
    if (!json.ok()) return json.status();
    return json_reply(std::move(json).value());
}

Api::Reply Api::backend_properties(Context& ctx) {
    Result<std::string> name = path_id(ctx, "backend name");
    if (!name.ok()) return name.status();
    QRT_RETURN_IF_ERROR(check_calibration_query(ctx.query));
    // updated_before is checked for form and otherwise ignored: the current calibration is the
    // only one qrt has (it is what a job submitted now runs with).
    if (const auto before = ctx.query.get("updated_before")) {
        Result<Timestamp> t = parse_iso8601(*before);
        if (!t.ok()) {
            return invalid_argument(
                fmt::format("query parameter updated_before: {}", t.status().message()));
        }
    }
    Result<std::string> json = runtime_.properties_json(*name);
    if (!json.ok()) return json.status();
    return json_reply(std::move(json).value());
}

Api::Reply Api::backend_status(Context& ctx) {
    Result<std::string> name = path_id(ctx, "backend name");
    if (!name.ok()) return name.status();
    Result<runtime::BackendView> b = runtime_.backend(*name);
    if (!b.ok()) return b.status();
    return json_reply(backend_status_json(*b));
}

Api::Reply Api::backend_defaults(Context& ctx) {
    Result<std::string> name = path_id(ctx, "backend name");
    if (!name.ok()) return name.status();
    Result<runtime::BackendView> b = runtime_.backend(*name);
    if (!b.ok()) return b.status();
    return json_reply("{}");  // no pulse defaults
}

Api::Reply Api::instance_usage(Context& ctx) {
    Result<runtime::InstanceUsageView> usage = runtime_.instance_usage(ctx.who());
    if (!usage.ok()) return usage.status();
    return json_reply(usage_json(*usage));
}

}  // namespace qrt::api
