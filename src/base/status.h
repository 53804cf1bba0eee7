// Status and Result<T>: the error values every qrt module returns at its boundary.
//
// A Status is either ok or carries one ErrorCode from a closed enum (stable numbers: they are
// stored, logged and mapped to HTTP statuses) and a message written for the person who caused
// the error. Result<T> holds a T or a non-ok Status. Both are cheap value types; thread-safe as
// values (no shared state).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace qrt {

// Closed set of error codes. Numbers are stable: never renumber, only append.
enum class ErrorCode : int {
    kOk = 0,
    kInvalidArgument = 1,     // malformed or out-of-range input from a caller
    kNotFound = 2,            // no such job, session, backend, instance, ...
    kAlreadyExists = 3,       // an id that is already taken
    kFailedPrecondition = 4,  // valid request, wrong state (cancel a final job, closed session)
    kPermissionDenied = 5,    // authenticated but not allowed
    kUnauthenticated = 6,     // missing or bad credentials
    kResourceExhausted = 7,   // limits: rate, size, memory, quota
    kUnavailable = 8,         // temporarily unable (backend paused, shutting down)
    kDeadlineExceeded = 9,    // ran past a time limit
    kCancelled = 10,          // stopped on request
    kDataLoss = 11,           // stored data is corrupt
    kInternal = 12,           // a bug or an unexpected system failure
    kUnimplemented = 13,      // recognised but not supported
};

// The stable lower-case name of a code ("invalid_argument"), for logs and JSON bodies.
std::string_view error_code_name(ErrorCode code);

class [[nodiscard]] Status {
public:
    Status() = default;
    Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

    static Status ok_status() { return {}; }

    bool ok() const { return code_ == ErrorCode::kOk; }
    ErrorCode code() const { return code_; }
    const std::string& message() const { return message_; }
    // "invalid_argument: max_ttl must be positive"
    std::string to_string() const;

    friend bool operator==(const Status& a, const Status& b) {
        return a.code_ == b.code_ && a.message_ == b.message_;
    }

private:
    ErrorCode code_ = ErrorCode::kOk;
    std::string message_;
};

inline Status invalid_argument(std::string m) {
    return {ErrorCode::kInvalidArgument, std::move(m)};
}
inline Status not_found(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
inline Status already_exists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
inline Status failed_precondition(std::string m) {
    return {ErrorCode::kFailedPrecondition, std::move(m)};
}
inline Status internal_error(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

// Holds a T or a non-ok Status. Constructing from an ok Status is a programming error.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
    Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
        assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
    }

    bool ok() const { return std::holds_alternative<T>(v_); }
    explicit operator bool() const { return ok(); }

    // The error; an ok Status when the result holds a value.
    Status status() const { return ok() ? Status{} : std::get<Status>(v_); }

    T& value() & {
        assert(ok());
        return std::get<T>(v_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<T>(v_);
    }
    T&& value() && {
        assert(ok());
        return std::get<T>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    T value_or(T fallback) const { return ok() ? std::get<T>(v_) : std::move(fallback); }

private:
    std::variant<T, Status> v_;
};

}  // namespace qrt

// Returns early from the enclosing function with the error of `expr` (a Status) if it is not ok.
#define QRT_RETURN_IF_ERROR(expr)                  \
    do {                                           \
        ::qrt::Status qrt_status_ = (expr);        \
        if (!qrt_status_.ok()) return qrt_status_; \
    } while (false)
