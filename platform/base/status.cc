// Status formatting.
#include "platform/base/status.h"

#include <cstring>

namespace jejak {

std::string_view StatusCodeName(StatusCode code) {
    switch (code) {
        case StatusCode::kOk: return "OK";
        case StatusCode::kInvalidArgument: return "Invalid argument";
        case StatusCode::kCorruption: return "Corruption";
        case StatusCode::kNotFound: return "Not found";
        case StatusCode::kIOError: return "I/O error";
        case StatusCode::kUnavailable: return "Unavailable";
        case StatusCode::kPermissionDenied: return "Permission denied";
        case StatusCode::kTimeout: return "Timeout";
        case StatusCode::kFailedPrecondition: return "Failed precondition";
        case StatusCode::kInternal: return "Internal error";
    }
    return "Unknown";
}

Status Status::FromErrno(int err, std::string_view what) {
    std::string msg(what);
    msg += ": ";
    msg += std::strerror(err);
    StatusCode code = StatusCode::kIOError;
    if (err == ENOENT) code = StatusCode::kNotFound;
    if (err == EACCES || err == EPERM) code = StatusCode::kPermissionDenied;
    if (err == ETIMEDOUT) code = StatusCode::kTimeout;
    return {code, std::move(msg)};
}

std::string Status::ToString() const {
    if (ok()) return "OK";
    std::string out(StatusCodeName(code_));
    out += ": ";
    out += message_;
    return out;
}

Status Status::WithContext(std::string_view context) const {
    if (ok()) return *this;
    std::string msg(context);
    msg += ": ";
    msg += message_;
    return {code_, std::move(msg)};
}

}  // namespace jejak
