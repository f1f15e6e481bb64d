// The server's clock as HTTP states it: the Date header (RFC 9110 5.6.7), for comparing the
// device clock with a server's (`jejak keys fetch`, `jejak report`). Pure parsing, and an
// HttpClient decorator that remembers the last Date it saw; the poster has its own in
// agent/upload (only the upload module may see the sending seam).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/base/clock.h"
#include "platform/http/http_client.h"

namespace jejak {

// Unix seconds of an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", the form servers must
// send); nullopt for anything else (obsolete forms, out-of-range fields, trailing bytes).
std::optional<int64_t> ParseHttpDate(std::string_view value);

// One reading of a server's clock: its Date and when the device received the reply.
struct ServerDate {
    int64_t server_unix_s = 0;
    int64_t received_unix_us = 0;  // the device clock
    std::string origin;            // scheme://host[:port] of the URL asked
};

// The reading a response gives (nullopt without a valid Date).
std::optional<ServerDate> ReadServerDate(const HttpResponse& response, const std::string& url,
                                         int64_t received_unix_us);

// Device minus server, in seconds: the Date is the server's second, truncated, so the
// server's time at reception is taken as the middle of that second.
double ClockOffsetSeconds(const ServerDate& d);

// "scheme://host[:port]" of a URL (the URL itself when it has no "://").
std::string UrlOrigin(const std::string& url);

// Passes every GET to `inner` and keeps the last server Date seen (any status).
class DateRecordingHttpClient final : public HttpClient {
public:
    DateRecordingHttpClient(HttpClient& inner, const Clock& clock) : inner_(inner), clock_(clock) {}
    Result<HttpResponse> Get(const HttpRequest& request) override;
    const std::optional<ServerDate>& last() const { return last_; }

private:
    HttpClient& inner_;
    const Clock& clock_;
    std::optional<ServerDate> last_;
};

}  // namespace jejak
