// The `qrt` command's exit codes (docs/operations.md, "Exit codes"), one place for every verb.
//
//     0 ok · 1 runtime or server error · 2 usage or configuration error · 3 not found ·
//     4 unauthenticated or not allowed · 5 the job ended Failed or Cancelled · 6 a timeout ran out
//
// Two mappings, one for each error type the verbs meet: exit_code_for(Status) for the internal
// modules and `qrt admin` (base/status.h), exit_code_for(ErrorKind) for the verbs built on the
// client library (<qrt/qrt.h>, defined in exit_codes.cc so that this header needs neither).
//
// Thread-safety: pure functions.
#pragma once

#include "base/status.h"

namespace qrt {
enum class ErrorKind;  // <qrt/qrt.h>
}  // namespace qrt

namespace qrt::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;      // the server or runtime failed; network trouble
inline constexpr int kExitUsage = 2;      // bad command line, configuration or request
inline constexpr int kExitNotFound = 3;   // no such user, key, instance, backend, job, ...
inline constexpr int kExitDenied = 4;     // no or bad credentials, or not an admin
inline constexpr int kExitJobFailed = 5;  // the job ended Failed or Cancelled
inline constexpr int kExitTimeout = 6;  // --timeout ran out (or the server did not answer in time)

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

// The exit code for a client library error (qrt::Error::kind()).
int exit_code_for(ErrorKind kind);

}  // namespace qrt::cli
