// The one table from ErrorCode to HTTP status, and the one error body every failing response
// carries (docs/http-api.md "Errors"):
//
//     {"errors":[{"code":"invalid_argument","message":"...","more_info":""}],
//      "error":{"code":"invalid_argument","message":"..."},
//      "status_code":400,"trace":"<request id>"}
//
// `errors`/`trace`/`status_code` is IBM's shape; `error.message` is what qiskit-ibm-runtime puts
// in its exception text. The Python client retries 500/502/503/504 (even POST), so only
// transient conditions map to those: every deterministic failure is a 4xx.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace qrt::api {

// The table. invalid_argument 400, unauthenticated 401, permission_denied 403, not_found 404,
// already_exists / failed_precondition / cancelled 409, resource_exhausted 429,
// internal / data_loss 500, unimplemented 501, unavailable 503, deadline_exceeded 504.
int http_status(ErrorCode code);

// The standard reason phrase for `status` ("Not Found"), "Unknown" for others.
std::string_view reason_phrase(int status);

// The error body above. `code` is the ErrorCode name, or another lower-case code for errors
// made by the HTTP layer itself ("payload_too_large", "method_not_allowed", "not_found").
std::string error_body(std::string_view code, std::string_view message, int status,
                       std::string_view request_id);

}  // namespace qrt::api
