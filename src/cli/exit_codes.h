// The `qrt` command's exit codes (docs/operations.md, "Exit codes"), one place for every verb.
//
//     0 ok · 1 runtime or server error · 2 usage or configuration error · 3 not found ·
//     4 unauthenticated or not allowed
//
// Thread-safety: pure functions.
#pragma once

#include "base/status.h"

namespace qrt::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;     // the server or runtime failed; network trouble
inline constexpr int kExitUsage = 2;     // bad command line, configuration or request
inline constexpr int kExitNotFound = 3;  // no such user, key, instance, backend, job, ...
inline constexpr int kExitDenied = 4;    // no or bad credentials, or not an admin

// The exit code for a failed operation.
inline int exit_code_for(const Status& status) {
    switch (status.code()) {
        case ErrorCode::kOk:
            return kExitOk;
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kAlreadyExists:
        case ErrorCode::kFailedPrecondition:
            return kExitUsage;
        case ErrorCode::kNotFound:
            return kExitNotFound;
        case ErrorCode::kUnauthenticated:
        case ErrorCode::kPermissionDenied:
            return kExitDenied;
        default:
            return kExitError;
    }
}

}  // namespace qrt::cli
