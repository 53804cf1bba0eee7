#include "api/errors.h"

#include "api/json_writer.h"

namespace qrt::api {

int http_status(ErrorCode code) {
    switch (code) {
        case ErrorCode::kOk:
            return 200;
        case ErrorCode::kInvalidArgument:
            return 400;
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kPermissionDenied:
            return 403;
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kAlreadyExists:
        case ErrorCode::kFailedPrecondition:
        case ErrorCode::kCancelled:
            return 409;
        // 429, not 413: quotas and pending-job limits are "too much", and the Python client does
        // not retry 4xx. Oversized bodies get 413 from the HTTP layer before any handler runs.
        case ErrorCode::kResourceExhausted:
            return 429;
        case ErrorCode::kDataLoss:
        case ErrorCode::kInternal:
            return 500;
        // 501 is not in the client's retry list, so "not supported" fails fast.
        case ErrorCode::kUnimplemented:
            return 501;
        case ErrorCode::kUnavailable:
            return 503;
        case ErrorCode::kDeadlineExceeded:
            return 504;
    }
    return 500;
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 411:
            return "Length Required";
        case 413:
            return "Payload Too Large";
        case 415:
            return "Unsupported Media Type";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "Unknown";
    }
}

std::string error_body(std::string_view code, std::string_view message, int status,
                       std::string_view request_id) {
    JsonWriter w(192 + 2 * message.size());
    w.begin_object();
    w.key("errors").begin_array().begin_object();
    w.key("code").string(code);
    w.key("message").string(message);
    w.key("more_info").string("");
    w.end_object().end_array();
    w.key("error").begin_object();
    w.key("code").string(code);
    w.key("message").string(message);
    w.end_object();
    w.key("status_code").integer(status);
    w.key("trace").string(request_id);
    w.end_object();
    return std::move(w).str();
}

}  // namespace qrt::api
