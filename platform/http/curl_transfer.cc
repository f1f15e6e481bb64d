// One libcurl transfer: HTTPS with peer and host verification always on; plain http only
// to loopback and only when the options allow it; redirects are not followed (a server that
// redirects is reported, not silently trusted); the reply is capped while it arrives.
#include "platform/http/curl_transfer.h"

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>

namespace jejak {
namespace {

struct Transfer {
    size_t max_body = 0;
    bool too_large = false;
    HttpResponse response;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t n = size * count;
    if (t->response.body.size() + n > t->max_body) {
        t->too_large = true;
        return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    t->response.body.insert(t->response.body.end(), data, data + n);
    return n;
}

// Value of "Name: value\r\n" when the line is that header (case-insensitive name).
bool HeaderValue(std::string_view line, std::string_view name, std::string* value) {
    if (line.size() <= name.size() || line[name.size()] != ':' ||
        strncasecmp(line.data(), name.data(), name.size()) != 0) {
        return false;
    }
    std::string_view v = line.substr(name.size() + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) {
        v.remove_suffix(1);
    }
    *value = std::string(v);
    return true;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::string_view line(data, size * count);
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (after 100 Continue): start over
        t->response.etag.clear();
        t->response.last_modified.clear();
        t->response.date.clear();
    }
    if (!HeaderValue(line, "ETag", &t->response.etag) &&
        !HeaderValue(line, "Last-Modified", &t->response.last_modified)) {
        HeaderValue(line, "Date", &t->response.date);
    }
    return size * count;
}

// The one place libcurl result codes become Status values.
Status CurlError(CURLcode code, const char* detail, const std::string& what,
                 const std::string& tls_hint) {
    std::string msg = what + ": " + curl_easy_strerror(code);
    if (detail != nullptr && detail[0] != '\0') msg += " (" + std::string(detail) + ")";
    const bool verification = code == CURLE_PEER_FAILED_VERIFICATION ||
                              code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_ISSUER_ERROR;
    if (verification && !tls_hint.empty()) msg += "; " + tls_hint;
    if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT) {
        return Status::InvalidArgument(msg);
    }
    return Status::Unavailable(msg);
}

}  // namespace

namespace internal {

Result<HttpResponse> CurlTransfer(const HttpClientOptions& options, const CurlRequest& request) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    const std::string what = std::string(request.method) + " " + request.url;
    const bool plain_ok = options.allow_http_loopback && IsLoopbackHttpUrl(request.url);
    if (request.url.rfind("https://", 0) != 0 && !plain_ok) {
        return Status::InvalidArgument(what + ": only https URLs are allowed");
    }
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Status::Internal("curl_easy_init failed");
    CURL* c = curl.get();
    Transfer t;
    t.max_body = request.max_body_bytes;
    char error[CURL_ERROR_SIZE] = {};
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
        headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, plain_ok ? "http" : "https");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, options.total_timeout_seconds);
    curl_easy_setopt(c, CURLOPT_USERAGENT, options.user_agent.c_str());
    if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.pinned_public_key.empty()) {
        curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, options.pinned_public_key.c_str());
    }
    if (request.http1_only) curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    // Set always: an empty string makes libcurl ignore the proxy environment variables.
    curl_easy_setopt(c, CURLOPT_PROXY, options.proxy.c_str());
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_body_bytes));
    if (request.post_body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.post_body->data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.post_body->size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    const CURLcode code = curl_easy_perform(c);
    curl_slist_free_all(headers);
    if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
        return Status::Corruption(what + ": body larger than " +
                                  std::to_string(request.max_body_bytes) + " bytes");
    }
    if (code != CURLE_OK) return CurlError(code, error, what, options.tls_hint);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t.response.status);
    return std::move(t.response);
}

}  // namespace internal
}  // namespace jejak
