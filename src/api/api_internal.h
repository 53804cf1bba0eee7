// Shared by the api_*.cc files that implement Api's routes: the per-request context and the
// request-body readers. Not part of the module's interface.
//
// Body readers throw jsonpath::PathError with a message naming the field ("tags[1]: expected a
// string, got a number"); Api::dispatch turns it into a 400. Thread safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api.h"
#include "api/http_request.h"
#include "base/json_path.h"
#include "base/status.h"

namespace qrt::api {

struct Api::Context {
    const HttpRequest& request;
    const std::string& request_id;
    RouteMatch match;
    QueryParams query;
    std::shared_ptr<const runtime::Caller> caller;

    const runtime::Caller& who() const { return *caller; }
};

// Maximum nesting of request bodies (a PUB's observables array nests a few levels; 64 leaves
// room without letting a hostile body recurse deep).
inline constexpr int kMaxBodyDepth = 64;

// Parses a request body that must be one JSON value. invalid_argument naming the line, column
// and byte of the first fault ("request body is not valid JSON: syntax error at line 1, column
// 9 (byte 8)"), also for invalid UTF-8, nesting deeper than kMaxBodyDepth and trailing data.
Result<boost::json::value> parse_json_body(std::string_view body);

// As parse_json_body, and the value must be an object.
Result<boost::json::object> parse_json_object(std::string_view body);

// The path parameter of the route, checked with is_safe_id. `what` names it in the error
// ("job id", "backend name").
Result<std::string> path_id(const Api::Context& ctx, std::string_view what);

namespace body {

// Field readers: an absent key or a null value is "not given" (nullopt); a value of another
// type throws PathError. Strings longer than `max_len` bytes throw.
std::optional<std::string_view> string_field(const boost::json::object& obj, std::string_view key,
                                             std::size_t max_len);
std::string required_string(const boost::json::object& obj, std::string_view key,
                            std::size_t max_len);
std::optional<bool> bool_field(const boost::json::object& obj, std::string_view key);
// A finite number (int or float).
std::optional<double> number_field(const boost::json::object& obj, std::string_view key);
// An array of strings: at most `max_items`, each 1..max_len bytes, no control characters.
std::optional<std::vector<std::string>> string_array_field(const boost::json::object& obj,
                                                           std::string_view key,
                                                           std::size_t max_items,
                                                           std::size_t max_len);
// A string that must satisfy is_safe_id.
std::optional<std::string> id_field(const boost::json::object& obj, std::string_view key);

}  // namespace body

// Job tags: at most kMaxTags, each 1..kMaxTagLength bytes.
inline constexpr std::size_t kMaxTags = 64;
inline constexpr std::size_t kMaxTagLength = 256;

}  // namespace qrt::api
