#include "base/status.h"

namespace qrt {

std::string_view error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::kOk:
            return "ok";
        case ErrorCode::kInvalidArgument:
            return "invalid_argument";
        case ErrorCode::kNotFound:
            return "not_found";
        case ErrorCode::kAlreadyExists:
            return "already_exists";
        case ErrorCode::kFailedPrecondition:
            return "failed_precondition";
        case ErrorCode::kPermissionDenied:
            return "permission_denied";
        case ErrorCode::kUnauthenticated:
            return "unauthenticated";
        case ErrorCode::kResourceExhausted:
            return "resource_exhausted";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kDeadlineExceeded:
            return "deadline_exceeded";
        case ErrorCode::kCancelled:
            return "cancelled";
        case ErrorCode::kDataLoss:
            return "data_loss";
        case ErrorCode::kInternal:
            return "internal";
        case ErrorCode::kUnimplemented:
            return "unimplemented";
    }
    // A number read back from storage that this build does not know (a newer writer).
    return "unknown";
}

std::string Status::to_string() const {
    if (ok()) return "ok";
    std::string out(error_code_name(code_));
    if (!message_.empty()) {
        out += ": ";
        out += message_;
    }
    return out;
}

}  // namespace qrt
