#include "api/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <limits>

#include "api/errors.h"

namespace qrt::api {
namespace {

TEST(JsonWriter, places_commas_in_nested_structures) {
    JsonWriter w;
    w.begin_object();
    w.key("a").integer(1);
    w.key("b").begin_array().integer(1).begin_object().end_object().begin_array().end_array();
    w.string("x").end_array();
    w.key("c").begin_object().key("d").null().key("e").boolean(false).end_object();
    w.end_object();
    EXPECT_EQ(w.str(), R"({"a":1,"b":[1,{},[],"x"],"c":{"d":null,"e":false}})");
}

TEST(JsonWriter, escapes_strings) {
    JsonWriter w;
    w.string(std::string("q\"b\\n\n\t\x01\x1f\x7f\xc3\xa9", 12));
    EXPECT_EQ(w.str(), "\"q\\\"b\\\\n\\n\\t\\u0001\\u001f\\u007f\xc3\xa9\"");
    // What we write, Boost.JSON reads back unchanged.
    EXPECT_EQ(boost::json::parse(w.str()).as_string(),
              std::string("q\"b\\n\n\t\x01\x1f\x7f\xc3\xa9", 12));
}

TEST(JsonWriter, numbers_read_back_as_floats) {
    JsonWriter w;
    w.begin_array();
    w.number(1.0).number(-2.5).number(1e300).number(0.1).number(
        std::numeric_limits<double>::quiet_NaN());
    w.number(std::numeric_limits<double>::infinity());
    w.end_array();
    EXPECT_EQ(w.str(), "[1.0,-2.5,1e+300,0.1,null,null]");
}

TEST(JsonWriter, writes_times_as_iso8601) {
    JsonWriter w;
    w.begin_array().time(VirtualClock::kDefaultStart).time_or_null(std::nullopt).end_array();
    EXPECT_EQ(w.str(), R"(["2026-01-01T00:00:00.000000Z",null])");
}

TEST(ErrorTable, maps_each_code_to_one_status) {
    EXPECT_EQ(http_status(ErrorCode::kInvalidArgument), 400);
    EXPECT_EQ(http_status(ErrorCode::kUnauthenticated), 401);
    EXPECT_EQ(http_status(ErrorCode::kPermissionDenied), 403);
    EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
    EXPECT_EQ(http_status(ErrorCode::kAlreadyExists), 409);
    EXPECT_EQ(http_status(ErrorCode::kFailedPrecondition), 409);
    EXPECT_EQ(http_status(ErrorCode::kResourceExhausted), 429);
    EXPECT_EQ(http_status(ErrorCode::kUnimplemented), 501);
    EXPECT_EQ(http_status(ErrorCode::kUnavailable), 503);
    EXPECT_EQ(http_status(ErrorCode::kInternal), 500);
}

TEST(ErrorTable, deterministic_failures_are_never_retried_statuses) {
    // The Python client retries 500, 502, 503, 504 (also POST): only transient codes may map
    // there.
    for (ErrorCode c :
         {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kAlreadyExists,
          ErrorCode::kFailedPrecondition, ErrorCode::kPermissionDenied, ErrorCode::kUnauthenticated,
          ErrorCode::kResourceExhausted, ErrorCode::kCancelled}) {
        EXPECT_LT(http_status(c), 500) << error_code_name(c);
    }
    // 501 is not in the retry list either.
    EXPECT_EQ(http_status(ErrorCode::kUnimplemented), 501);
}

TEST(ErrorBody, has_ibm_and_client_shapes) {
    const boost::json::value v =
        boost::json::parse(error_body("not_found", "no job \"x\"", 404, "req_1"));
    EXPECT_EQ(v.at("errors").at(0).at("code").as_string(), "not_found");
    EXPECT_EQ(v.at("errors").at(0).at("message").as_string(), "no job \"x\"");
    EXPECT_EQ(v.at("errors").at(0).at("more_info").as_string(), "");
    EXPECT_EQ(v.at("error").at("message").as_string(), "no job \"x\"");
    EXPECT_EQ(v.at("error").at("code").as_string(), "not_found");
    EXPECT_EQ(v.at("status_code").as_int64(), 404);
    EXPECT_EQ(v.at("trace").as_string(), "req_1");
}

}  // namespace
}  // namespace qrt::api
