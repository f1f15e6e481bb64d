// One libcurl transfer shared by the GET client and the POST poster: the URL policy (HTTPS,
// loopback http only when allowed), verification always on, no redirects, the reply capped
// while it arrives. Internal to platform/http.
#pragma once

#include <optional>
#include <string>

#include "platform/http/http_client.h"

namespace jejak::internal {

struct CurlRequest {
    const char* method = "GET";  // "GET" or "POST", for messages
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<std::string> post_body;  // set: POST with this body
    size_t max_body_bytes = 0;
    // HTTP/1.1 even where TLS would negotiate HTTP/2: the upload's padding makes header lines
    // plus body a whole number of buckets, arithmetic that HPACK and DATA frames would undo.
    bool http1_only = false;
};

Result<HttpResponse> CurlTransfer(const HttpClientOptions& options, const CurlRequest& request);

}  // namespace jejak::internal
