// Status and Result<T>: how errors cross every seam in Jejak.
//
// A Status is either OK or a named kind with a human-readable message. Untrusted input
// (radio bytes, files, database rows, config, server replies) produces kCorruption or
// kInvalidArgument, never an abort. Messages must never contain key material.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace jejak {

enum class StatusCode {
    kOk = 0,
    kInvalidArgument,    // caller passed something malformed (CLI argument, config value)
    kCorruption,         // stored or received bytes are damaged, tampered or malformed
    kNotFound,           // a named thing does not exist
    kIOError,            // the operating system refused a read/write/open
    kUnavailable,        // a device, peer or server cannot be reached right now
    kPermissionDenied,   // access refused (file modes, wrong key, missing privileges)
    kTimeout,            // a deadline passed (e.g. a controller did not answer a command)
    kFailedPrecondition, // the operation is not allowed in the current state
    kInternal,           // a bug in Jejak or a dependency; please report
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
public:
    Status() = default;  // OK

    static Status Ok() { return Status(); }
    static Status InvalidArgument(std::string msg) {
        return {StatusCode::kInvalidArgument, std::move(msg)};
    }
    static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
    static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
    static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
    static Status Unavailable(std::string msg) {
        return {StatusCode::kUnavailable, std::move(msg)};
    }
    static Status PermissionDenied(std::string msg) {
        return {StatusCode::kPermissionDenied, std::move(msg)};
    }
    static Status Timeout(std::string msg) { return {StatusCode::kTimeout, std::move(msg)}; }
    static Status FailedPrecondition(std::string msg) {
        return {StatusCode::kFailedPrecondition, std::move(msg)};
    }
    static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
    // errno-based I/O failure: "<what>: <strerror(err)>".
    static Status FromErrno(int err, std::string_view what);

    bool ok() const { return code_ == StatusCode::kOk; }
    StatusCode code() const { return code_; }
    const std::string& message() const { return message_; }
    // "OK" or "<Kind>: <message>".
    std::string ToString() const;

    // Returns a copy with "<context>: " prepended to the message (no-op when OK).
    Status WithContext(std::string_view context) const;

    bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }
    bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
    bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
    bool IsIOError() const { return code_ == StatusCode::kIOError; }
    bool IsUnavailable() const { return code_ == StatusCode::kUnavailable; }
    bool IsPermissionDenied() const { return code_ == StatusCode::kPermissionDenied; }
    bool IsTimeout() const { return code_ == StatusCode::kTimeout; }

private:
    Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}

    StatusCode code_ = StatusCode::kOk;
    std::string message_;
};

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
    Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
        assert(!std::get<Status>(v_).ok() && "Result built from an OK Status carries no value");
    }

    bool ok() const { return std::holds_alternative<T>(v_); }
    // The error; Status::Ok() when a value is held.
    Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

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
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, Status> v_;
};

}  // namespace jejak

// Propagates a non-OK Status from an expression returning Status.
#define JEJAK_RETURN_IF_ERROR(expr)                  \
    do {                                             \
        ::jejak::Status jejak_status_ = (expr);      \
        if (!jejak_status_.ok()) return jejak_status_; \
    } while (0)

#define JEJAK_CONCAT_INNER_(a, b) a##b
#define JEJAK_CONCAT_(a, b) JEJAK_CONCAT_INNER_(a, b)
// Declares `lhs` from a Result<T> expression, or returns its Status on error.
#define JEJAK_ASSIGN_OR_RETURN(lhs, expr) \
    JEJAK_ASSIGN_OR_RETURN_IMPL_(JEJAK_CONCAT_(jejak_result_, __LINE__), lhs, expr)
#define JEJAK_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
    auto tmp = (expr);                               \
    if (!tmp.ok()) return tmp.status();              \
    lhs = std::move(tmp).value()
