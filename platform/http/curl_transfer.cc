// One libcurl transfer: HTTPS with peer and host verification always on; plain http only
// to loopback and only when the options allow it; redirects are not followed (a server that
// redirects is reported, not silently trusted); the reply is capped while it arrives.
#include "platform/http/curl_transfer.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <cstring>
#include <memory>

namespace jejak {
namespace {

// libcurl is loaded at the first transfer, not linked (as the authority loads libpq): the
// daemon (`jejak run`) and every other command that never touches the network do not map
// libcurl and what it pulls in (OpenSSL, nghttp2, libssh2, Kerberos, LDAP...), about 4 MiB
// of resident memory on a box whose budget is 10 MiB. Every libcurl call goes through this.
struct LibCurl {
    decltype(&::curl_global_init) global_init;
    decltype(&::curl_easy_init) easy_init;
    decltype(&::curl_easy_cleanup) easy_cleanup;
    decltype(&::curl_easy_setopt) easy_setopt;
    decltype(&::curl_easy_perform) easy_perform;
    decltype(&::curl_easy_getinfo) easy_getinfo;
    decltype(&::curl_easy_strerror) easy_strerror;
    decltype(&::curl_slist_append) slist_append;
    decltype(&::curl_slist_free_all) slist_free_all;
};

template <typename F>
bool Resolve(void* lib, const char* name, F& out) {
    out = reinterpret_cast<F>(::dlsym(lib, name));
    return out != nullptr;
}

// The loaded (and globally initialised) table, or nullptr with `error` set. Loaded once, by
// the first caller; the library then stays for the life of the process.
const LibCurl* LoadLibCurl(std::string* error) {
    static std::string failure;
    static const LibCurl* const loaded = []() -> const LibCurl* {
        void* lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
        if (lib == nullptr) {
            const char* why = ::dlerror();
            failure = std::string("cannot load libcurl.so.4 (install libcurl4): ") +
                      (why != nullptr ? why : "unknown error");
            return nullptr;
        }
        static LibCurl table;
        bool ok = true;
        ok = Resolve(lib, "curl_global_init", table.global_init) && ok;
        ok = Resolve(lib, "curl_easy_init", table.easy_init) && ok;
        ok = Resolve(lib, "curl_easy_cleanup", table.easy_cleanup) && ok;
        ok = Resolve(lib, "curl_easy_setopt", table.easy_setopt) && ok;
        ok = Resolve(lib, "curl_easy_perform", table.easy_perform) && ok;
        ok = Resolve(lib, "curl_easy_getinfo", table.easy_getinfo) && ok;
        ok = Resolve(lib, "curl_easy_strerror", table.easy_strerror) && ok;
        ok = Resolve(lib, "curl_slist_append", table.slist_append) && ok;
        ok = Resolve(lib, "curl_slist_free_all", table.slist_free_all) && ok;
        if (!ok) {
            failure = "libcurl.so.4 lacks a function this build uses";
            return nullptr;
        }
        if (table.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            failure = "libcurl: curl_global_init failed";
            return nullptr;
        }
        return &table;
    }();
    if (loaded == nullptr && error != nullptr) *error = failure;
    return loaded;
}

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
Status CurlError(const LibCurl& curl, CURLcode code, const char* detail, const std::string& what,
                 const std::string& tls_hint) {
    std::string msg = what + ": " + curl.easy_strerror(code);
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
    const std::string what = std::string(request.method) + " " + request.url;
    const bool plain_ok = options.allow_http_loopback && IsLoopbackHttpUrl(request.url);
    if (request.url.rfind("https://", 0) != 0 && !plain_ok) {
        return Status::InvalidArgument(what + ": only https URLs are allowed");
    }
    std::string unavailable;
    const LibCurl* lib = LoadLibCurl(&unavailable);
    if (lib == nullptr) return Status::Unavailable(what + ": " + unavailable);
    const LibCurl& api = *lib;
    std::unique_ptr<CURL, void (*)(CURL*)> curl(api.easy_init(), api.easy_cleanup);
    if (!curl) return Status::Internal("curl_easy_init failed");
    CURL* c = curl.get();
    Transfer t;
    t.max_body = request.max_body_bytes;
    char error[CURL_ERROR_SIZE] = {};
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
        headers = api.slist_append(headers, (name + ": " + value).c_str());
    }
    api.easy_setopt(c, CURLOPT_URL, request.url.c_str());
    api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, plain_ok ? "http" : "https");
    api.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    api.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
    api.easy_setopt(c, CURLOPT_TIMEOUT, options.total_timeout_seconds);
    api.easy_setopt(c, CURLOPT_USERAGENT, options.user_agent.c_str());
    if (!options.ca_file.empty()) api.easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.pinned_public_key.empty()) {
        api.easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, options.pinned_public_key.c_str());
    }
    if (request.http1_only) api.easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    // Set always: an empty string makes libcurl ignore the proxy environment variables.
    api.easy_setopt(c, CURLOPT_PROXY, options.proxy.c_str());
    api.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_body_bytes));
    if (request.post_body) {
        api.easy_setopt(c, CURLOPT_POST, 1L);
        api.easy_setopt(c, CURLOPT_POSTFIELDS, request.post_body->data());
        api.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.post_body->size()));
    }
    api.easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    api.easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnBody);
    api.easy_setopt(c, CURLOPT_WRITEDATA, &t);
    api.easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
    api.easy_setopt(c, CURLOPT_HEADERDATA, &t);
    api.easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    const CURLcode code = api.easy_perform(c);
    api.slist_free_all(headers);
    if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
        return Status::Corruption(what + ": body larger than " +
                                  std::to_string(request.max_body_bytes) + " bytes");
    }
    if (code != CURLE_OK) return CurlError(api, code, error, what, options.tls_hint);
    api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t.response.status);
    return std::move(t.response);
}

}  // namespace internal
}  // namespace jejak
