#include "cli/exit_codes.h"

#include <qrt/qrt.h>

namespace qrt::cli {

int exit_code_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::kInvalidArgument:
        case ErrorKind::kConflict:
            return kExitUsage;
        case ErrorKind::kNotFound:
            return kExitNotFound;
        case ErrorKind::kUnauthenticated:
        case ErrorKind::kPermissionDenied:
            return kExitDenied;
        case ErrorKind::kJobFailed:
        case ErrorKind::kJobCancelled:
            return kExitJobFailed;
        case ErrorKind::kTimeout:
            return kExitTimeout;
        case ErrorKind::kResourceExhausted:
        case ErrorKind::kUnavailable:
        case ErrorKind::kInternal:
            return kExitError;
    }
    return kExitError;
}

}  // namespace qrt::cli
