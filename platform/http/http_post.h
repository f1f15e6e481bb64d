// The one HTTP entry point that sends a request body: POST of JSON to the verification and
// key servers. Only the upload module (agent/upload) may include this header or link
// NewCurlHttpPoster; tests/egress checks that at source and link level, so "only a confirmed
// diagnosis with consent leaves the device" stays a property of the build, not a comment.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "platform/http/http_client.h"

namespace jejak {

struct HttpPostRequest {
    std::string url;
    // Request headers besides Content-Type (always application/json) and Accept.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // JSON
    // A longer reply fails with Corruption.
    size_t max_body_bytes = 1u << 20;
};

class HttpPoster {
public:
    virtual ~HttpPoster() = default;
    // Sends one POST and returns the reply. Any HTTP status is a response (the caller judges
    // it); transport failures (DNS, connect, TLS, timeout, truncated reply) are Unavailable, a
    // refused URL (scheme not allowed) is InvalidArgument, an oversized reply is Corruption.
    // Never retries and never follows redirects (a retried POST could publish twice).
    // Blocking; one request at a time per poster.
    virtual Result<HttpResponse> Post(const HttpPostRequest& request) = 0;
};

// The libcurl poster: HTTPS with peer and host verification, plain http only to loopback
// when options.allow_http_loopback is set (http_post_curl.cc).
std::unique_ptr<HttpPoster> NewCurlHttpPoster(const HttpClientOptions& options);

}  // namespace jejak
