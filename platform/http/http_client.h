// HTTP GET seam for downloading diagnosis keys. The agent talks to key servers only through
// this interface; the libcurl implementation (http_client_curl.cc) is picked by the CLI, tests
// use a scripted fake. Requests that carry a body are a separate seam (http_post.h) that only
// the upload module may use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

struct HttpRequest {
    std::string url;
    // Extra request headers, e.g. {"If-None-Match", "\"abc\""}.
    std::vector<std::pair<std::string, std::string>> headers;
    // The body may not exceed this; a longer reply fails with Corruption.
    size_t max_body_bytes = 16u << 20;
};

struct HttpResponse {
    long status = 0;            // e.g. 200, 304, 404
    std::string etag;           // ETag header, verbatim (quotes included); empty if absent
    std::string last_modified;  // Last-Modified header, verbatim; empty if absent
    std::string date;           // Date header (the server's clock), verbatim; empty if absent
    std::vector<uint8_t> body;
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    // Performs one GET. Any HTTP status is a response (the caller judges it); transport
    // failures (DNS, connect, TLS, timeout, truncated body) are Unavailable, a refused URL
    // (scheme not allowed) is InvalidArgument, an oversized body is Corruption. Blocking;
    // one request at a time per client.
    virtual Result<HttpResponse> Get(const HttpRequest& request) = 0;
};

struct HttpClientOptions {
    // HTTPS with certificate and host verification is always required, except that a test
    // set-up may allow plain http to a loopback host (127.0.0.1, ::1, localhost) only.
    bool allow_http_loopback = false;
    long connect_timeout_seconds = 30;
    long total_timeout_seconds = 300;
    std::string user_agent = "jejak/0.1";
    // Optional: trust only the CA certificates in this PEM file instead of the system's.
    std::string ca_file;
    // Appended to the error of a failed certificate verification (an unknown or self-signed
    // CA, an unreadable ca_file), e.g. "set [diagnosis] ca_file to the PEM file of the
    // server's CA": the setting that fixes it.
    std::string tls_hint;
    // Optional: the server's public key must match this pin (libcurl's "sha256//BASE64"
    // form or a PEM/DER file path).
    std::string pinned_public_key;
    // Optional: send every request through this proxy (libcurl's form, e.g.
    // "http://proxy.example:3128"). Empty: no proxy at all, whatever http_proxy, https_proxy
    // or all_proxy in the environment say (an API key or keys must not go to a proxy that
    // another user's environment names).
    std::string proxy;
};

// True for http URLs whose host is 127.0.0.1 (or 127.x), [::1] or localhost.
bool IsLoopbackHttpUrl(const std::string& url);

// The libcurl client (http_client_curl.cc).
std::unique_ptr<HttpClient> NewCurlHttpClient(const HttpClientOptions& options);

}  // namespace jejak
