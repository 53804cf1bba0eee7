#include "base/status.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace qrt {
namespace {

TEST(Status, default_is_ok) {
    const Status s;
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(s.code(), ErrorCode::kOk);
    EXPECT_EQ(s.to_string(), "ok");
}

TEST(Status, to_string_joins_code_name_and_message) {
    EXPECT_EQ(invalid_argument("max_ttl must be positive").to_string(),
              "invalid_argument: max_ttl must be positive");
    EXPECT_EQ(not_found("").to_string(), "not_found");
}

TEST(Status, error_code_names_are_stable_snake_case) {
    EXPECT_EQ(error_code_name(ErrorCode::kOk), "ok");
    EXPECT_EQ(error_code_name(ErrorCode::kInvalidArgument), "invalid_argument");
    EXPECT_EQ(error_code_name(ErrorCode::kNotFound), "not_found");
    EXPECT_EQ(error_code_name(ErrorCode::kAlreadyExists), "already_exists");
    EXPECT_EQ(error_code_name(ErrorCode::kFailedPrecondition), "failed_precondition");
    EXPECT_EQ(error_code_name(ErrorCode::kPermissionDenied), "permission_denied");
    EXPECT_EQ(error_code_name(ErrorCode::kUnauthenticated), "unauthenticated");
    EXPECT_EQ(error_code_name(ErrorCode::kResourceExhausted), "resource_exhausted");
    EXPECT_EQ(error_code_name(ErrorCode::kUnavailable), "unavailable");
    EXPECT_EQ(error_code_name(ErrorCode::kDeadlineExceeded), "deadline_exceeded");
    EXPECT_EQ(error_code_name(ErrorCode::kCancelled), "cancelled");
    EXPECT_EQ(error_code_name(ErrorCode::kDataLoss), "data_loss");
    EXPECT_EQ(error_code_name(ErrorCode::kInternal), "internal");
    EXPECT_EQ(error_code_name(ErrorCode::kUnimplemented), "unimplemented");
}

TEST(Status, every_code_has_a_distinct_name_and_unknown_numbers_say_so) {
    std::set<std::string_view> names;
    for (int c = 0; c <= static_cast<int>(ErrorCode::kUnimplemented); ++c) {
        names.insert(error_code_name(static_cast<ErrorCode>(c)));
    }
    EXPECT_EQ(names.size(), 14u);
    EXPECT_EQ(names.count("unknown"), 0u);
    EXPECT_EQ(error_code_name(static_cast<ErrorCode>(999)), "unknown");
}

TEST(Status, equality_compares_code_and_message) {
    EXPECT_EQ(internal_error("x"), internal_error("x"));
    EXPECT_FALSE(internal_error("x") == internal_error("y"));
    EXPECT_FALSE(internal_error("x") == not_found("x"));
}

Result<int> half(int n) {
    if (n % 2 != 0) return invalid_argument("odd");
    return n / 2;
}

Status use_half(int n, int& out) {
    auto r = half(n);
    QRT_RETURN_IF_ERROR(r.status());
    out = *r;
    return {};
}

TEST(Result, holds_a_value_or_an_error) {
    auto good = half(4);
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(*good, 2);
    EXPECT_TRUE(good.status().ok());
    auto bad = half(3);
    EXPECT_FALSE(bad);
    EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Result, return_if_error_returns_early) {
    int out = 0;
    EXPECT_TRUE(use_half(8, out).ok());
    EXPECT_EQ(out, 4);
    EXPECT_EQ(use_half(7, out).message(), "odd");
    EXPECT_EQ(out, 4);
}

}  // namespace
}  // namespace qrt
