// Request handling of the authority's HTTP front over libmicrohttpd (see http_server.h).
#include "authority/http/http_front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "authority/requests.h"

namespace jejak::authority {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

enum class Route { kNone, kVerify, kCertificate, kPublish, kHealth, kExport, kConsole, kMetrics };

// The route's name in metrics (a fixed set: nothing a client made up).
const char* RouteLabel(Route route) {
    switch (route) {
        case Route::kVerify: return "/api/verify";
        case Route::kCertificate: return "/api/certificate";
        case Route::kPublish: return "/v1/publish";
        case Route::kHealth: return "/healthz";
        case Route::kExport: return "/exports/";
        case Route::kConsole: return "/console/";
        case Route::kMetrics: return "/metrics";
        default: return "other";
    }
}

// One request's state between libmicrohttpd's calls.
struct Request {
    SteadyTime start = std::chrono::steady_clock::now();
    std::string method;
    std::string logged_path = "-";  // a known route only: nothing a client made up
    Route route = Route::kNone;
    std::string url;  // kExport, kHealth: answered at the second call
    std::string body;
    size_t received = 0;
    bool body_over = false;
    int status = 0;  // 0 until a reply is queued
    uint64_t sent = 0;
};

const char* Header(MHD_Connection* c, const char* name) {
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

std::string_view HeaderView(MHD_Connection* c, const char* name) {
    const char* v = Header(c, name);
    return v ? std::string_view(v) : std::string_view();
}

struct Tally {
    size_t count = 0;
    size_t bytes = 0;
};

MHD_Result CountValue(void* cls, MHD_ValueKind, const char* key, const char* value) {
    auto* t = static_cast<Tally*>(cls);
    ++t->count;
    t->bytes += (key ? std::strlen(key) : 0) + (value ? std::strlen(value) : 0);
    return MHD_YES;
}

std::string Peer(MHD_Connection* c) {
    const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr) return "";
    char buf[INET6_ADDRSTRLEN] = {};
    const sockaddr* a = info->client_addr;
    if (a->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a)->sin_addr, buf, sizeof buf);
    } else if (a->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr, buf, sizeof buf);
    }
    return buf;
}

MHD_Result Queue(MHD_Connection* c, Request& r, int status, MHD_Response* response,
                 uint64_t bytes) {
    if (!response) return MHD_NO;
    const MHD_Result ok = MHD_queue_response(c, static_cast<unsigned>(status), response);
    MHD_destroy_response(response);
    r.status = status;
    r.sent = bytes;
    return ok;
}

// The same headers for every status, so replies differ in nothing but their padded body.
MHD_Result SendJson(MHD_Connection* c, Request& r, const ApiReply& reply) {
    const std::string body = reply.body.dump();
    MHD_Response* res = MHD_create_response_from_buffer(
        body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
    if (!res) return MHD_NO;
    MHD_add_response_header(res, "Content-Type", "application/json");
    MHD_add_response_header(res, "Cache-Control", "no-store");
    return Queue(c, r, reply.status, res, body.size());
}

MHD_Result Refuse(Front& f, MHD_Connection* c, Request& r, int status, const std::string& message) {
    const bool publish = r.route == Route::kPublish;
    const char* code = status == 404 ? "not_found"
                       : publish     ? "bad_request"
                                     : "unparsable_request";
    return SendJson(c, r,
                    f.service.Error(publish ? ApiFamily::kPublish : ApiFamily::kVerification,
                                    status, code, message));
}

void Classify(const Front& f, Request& r, std::string_view url, std::string_view method) {
    const bool post = method == "POST", get = method == "GET" || method == "HEAD";
    const bool console_path = url == "/console" || url.substr(0, 9) == "/console/";
    if ((get || post) && console_path && f.options.console) r.route = Route::kConsole;
    if (get && url == "/metrics" && f.options.metrics) r.route = Route::kMetrics;
    if (post && url == "/api/verify") r.route = Route::kVerify;
    if (post && url == "/api/certificate") r.route = Route::kCertificate;
    if (post && url == "/v1/publish") r.route = Route::kPublish;
    if (get && url == "/healthz") r.route = Route::kHealth;
    if (get && url.substr(0, 9) == "/exports/") r.route = Route::kExport;
    if (r.route == Route::kConsole) {
        r.logged_path = "/console/";  // its pages are the console's business, not the log's
    } else if (r.route == Route::kExport) {
        r.logged_path = SafeExportPath(url.substr(9)) ? std::string(url) : "/exports/-";
    } else if (r.route != Route::kNone) {
        r.logged_path = std::string(url);
    }
}

MHD_Result ServeHealth(Front& f, MHD_Connection* c, Request& r) {
    const Status db = f.options.database_check ? f.options.database_check() : Status::Ok();
    const int64_t now = f.options.clock ? f.options.clock->NowUnixMicros() / 1000000
                                        : static_cast<int64_t>(::time(nullptr));
    nlohmann::json body = {{"database", db.ok() ? "reachable" : "unreachable"},
                           {"export_age_seconds", nullptr}};
    struct stat st {};
    if (::stat((f.exports_dir + "/index.txt").c_str(), &st) == 0) {
        body["export_age_seconds"] = std::max<int64_t>(0, now - st.st_mtim.tv_sec);
    }
    return SendJson(c, r, ApiReply{db.ok() ? 200 : 503, body});
}

// Headers every /exports/ reply of a file carries.
void FileHeaders(MHD_Response* res, const std::string& path, const std::string& etag,
                 int64_t mtime_s) {
    const bool zip = path.size() > 4 && path.compare(path.size() - 4, 4, ".zip") == 0;
    const bool txt = path.size() > 4 && path.compare(path.size() - 4, 4, ".txt") == 0;
    MHD_add_response_header(res, "Content-Type",
                            zip ? "application/zip"
                                : (txt ? "text/plain; charset=utf-8" : "application/octet-stream"));
    MHD_add_response_header(res, "ETag", etag.c_str());
    MHD_add_response_header(res, "Last-Modified", HttpDate(mtime_s).c_str());
    MHD_add_response_header(res, "Accept-Ranges", "bytes");
}

MHD_Result ServeExport(Front& f, MHD_Connection* c, Request& r, std::string_view url) {
    const std::string_view relative = url.substr(9);
    if (!SafeExportPath(relative)) return Refuse(f, c, r, 404, "no such endpoint");
    const std::string path = f.exports_dir + "/" + std::string(relative);
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) ::close(fd);
        return Refuse(f, c, r, 404, "no such endpoint");
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    const int64_t mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    const std::string etag = FileETag(size, mtime_ns);
    if (NotModified(HeaderView(c, "If-None-Match"), HeaderView(c, "If-Modified-Since"), etag,
                    st.st_mtim.tv_sec)) {
        ::close(fd);
        MHD_Response* res = MHD_create_response_from_buffer(0, nullptr, MHD_RESPMEM_PERSISTENT);
        if (res) FileHeaders(res, path, etag, st.st_mtim.tv_sec);
        return Queue(c, r, 304, res, 0);
    }
    RangeRequest range = ParseRange(HeaderView(c, "Range"), size);
    const std::string_view if_range = HeaderView(c, "If-Range");
    if (!if_range.empty() && if_range != etag) range = RangeRequest{};
    if (range.kind == RangeRequest::Kind::kUnsatisfiable) {
        ::close(fd);
        MHD_Response* res = MHD_create_response_from_buffer(0, nullptr, MHD_RESPMEM_PERSISTENT);
        if (res) MHD_add_response_header(res, "Content-Range",
                                         ("bytes */" + std::to_string(size)).c_str());
        return Queue(c, r, 416, res, 0);
    }
    const bool one = range.kind == RangeRequest::Kind::kOne;
    const uint64_t first = one ? range.first : 0, length = one ? range.last - range.first + 1 : size;
    MHD_Response* res = MHD_create_response_from_fd_at_offset64(length, fd, first);
    if (!res) {
        ::close(fd);
        return MHD_NO;
    }
    FileHeaders(res, path, etag, st.st_mtim.tv_sec);
    if (one) {
        const std::string cr = "bytes " + std::to_string(range.first) + "-" +
                               std::to_string(range.last) + "/" + std::to_string(size);
        MHD_add_response_header(res, "Content-Range", cr.c_str());
    }
    return Queue(c, r, one ? 206 : 200, res, length);
}

// The first call, headers complete: Jejak's own limits, then the route. A refusal is queued
// at once (the connection closes after it, the rest of the request unread); the rest wait
// for the request's end.
MHD_Result Begin(Front& f, MHD_Connection* c, Request& r, const char* url, const char* method,
                 const char* version) {
    const RequestLimits& lim = f.options.limits;
    Classify(f, r, url, method);
    Tally args;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, CountValue, &args);
    const size_t line = std::strlen(method) + std::strlen(url) + std::strlen(version) + 2 +
                        args.bytes + 2 * args.count;
    if (line > lim.max_request_line) return Refuse(f, c, r, 414, "request line too long");
    Tally headers;
    MHD_get_connection_values(c, MHD_HEADER_KIND, CountValue, &headers);
    if (headers.count > lim.max_header_count || headers.bytes > lim.max_header_bytes) {
        return Refuse(f, c, r, 431, "request headers too large");
    }
    if (r.route == Route::kNone) return Refuse(f, c, r, 404, "no such endpoint");
    // A reply queued before the request is complete closes the connection: GETs are answered
    // at the next call, so keep-alive holds for them.
    if (r.route == Route::kHealth || r.route == Route::kExport || r.route == Route::kMetrics ||
        (r.route == Route::kConsole && r.method != "POST")) {
        r.url = url;
        return MHD_YES;
    }
    const std::string_view encoding = HeaderView(c, "Content-Encoding");
    if (!encoding.empty() && encoding != "identity") {
        return Refuse(f, c, r, 415, "Content-Encoding is not accepted");
    }
    r.url = url;
    const char* length = Header(c, "Content-Length");
    if (length && std::strtoull(length, nullptr, 10) > kMaxRequestBytes) {
        return Refuse(f, c, r, 413,
                      "request body is larger than " + std::to_string(kMaxRequestBytes) + " bytes");
    }
    return MHD_YES;
}

// The console and /metrics: the handler sees the request as WebRequest, the front adds
// nothing but the reply's own headers.
MHD_Result ServeWeb(const WebHandler& handler, MHD_Connection* c, Request& r) {
    WebRequest request;
    request.method = r.method;
    request.path = r.url;
    request.cookie = std::string(HeaderView(c, "Cookie"));
    request.content_type = std::string(HeaderView(c, "Content-Type"));
    request.origin = std::string(HeaderView(c, "Origin"));
    request.authorization = std::string(HeaderView(c, "Authorization"));
    request.api_key = std::string(HeaderView(c, "X-API-Key"));
    request.body = std::move(r.body);
    request.peer = Peer(c);
    const MHD_ConnectionInfo* tls = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    request.tls = tls != nullptr && tls->tls_session != nullptr;
    const WebReply reply = handler(request);
    MHD_Response* res = MHD_create_response_from_buffer(
        reply.body.size(), const_cast<char*>(reply.body.data()), MHD_RESPMEM_MUST_COPY);
    if (!res) return MHD_NO;
    MHD_add_response_header(res, "Content-Type", reply.content_type.c_str());
    for (const auto& [name, value] : reply.headers) {
        MHD_add_response_header(res, name.c_str(), value.c_str());
    }
    return Queue(c, r, reply.status, res, reply.body.size());
}

MHD_Result Dispatch(Front& f, MHD_Connection* c, Request& r) {
    const char* key = Header(c, "X-API-Key");
    const std::optional<std::string_view> api_key =
        key ? std::optional<std::string_view>(key) : std::nullopt;
    const bool chaff = Header(c, "X-Chaff") != nullptr;
    switch (r.route) {
        case Route::kVerify: return SendJson(c, r, f.service.Verify(api_key, r.body, chaff, Peer(c)));
        case Route::kCertificate:
            return SendJson(c, r, f.service.Certificate(api_key, r.body, chaff, Peer(c)));
        case Route::kPublish: return SendJson(c, r, f.service.Publish(r.body, chaff));
        case Route::kHealth: return ServeHealth(f, c, r);
        case Route::kExport: return ServeExport(f, c, r, r.url);
        case Route::kConsole: return ServeWeb(f.options.console, c, r);
        case Route::kMetrics: return ServeWeb(f.options.metrics, c, r);
        default: return MHD_NO;
    }
}

}  // namespace

MHD_Result HandleRequest(void* cls, MHD_Connection* connection, const char* url,
                         const char* method, const char* version, const char* upload_data,
                         size_t* upload_data_size, void** req_cls) {
    Front& f = *static_cast<Front*>(cls);
    if (*req_cls == nullptr) {
        auto* r = new Request;
        const std::string_view m = method;
        r->method = m == "GET" || m == "HEAD" || m == "POST" ? std::string(m) : "-";
        *req_cls = r;
        return Begin(f, connection, *r, url, method, version);
    }
    Request& r = *static_cast<Request*>(*req_cls);
    if (*upload_data_size != 0) {
        // Counted as received, whatever the transfer coding: past the limit the connection
        // is closed at once instead of reading (or buffering) the rest.
        r.received += *upload_data_size;
        if (r.status != 0 || r.received > kMaxRequestBytes) {
            r.body_over = r.received > kMaxRequestBytes;
            return MHD_NO;
        }
        r.body.append(upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r.status != 0) return MHD_YES;
    return Dispatch(f, connection, r);
}

void RequestCompleted(void* cls, MHD_Connection* connection, void** req_cls,
                      MHD_RequestTerminationCode toe) {
    Front& f = *static_cast<Front*>(cls);
    auto* r = static_cast<Request*>(*req_cls);
    *req_cls = nullptr;
    if (f.request_done) f.request_done(connection);
    if (!r) return;
    if (f.options.observe) {
        const double seconds = std::chrono::duration<double>(
                                   std::chrono::steady_clock::now() - r->start).count();
        f.options.observe(RouteLabel(r->route), r->status, seconds);
    }
    if (f.options.request_log) {
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - r->start).count();
        std::string outcome = r->status ? std::to_string(r->status) : "closed";
        if (r->body_over) {
            outcome += " (body over " + std::to_string(kMaxRequestBytes) + " bytes)";
        } else if (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED) {
            outcome += " (timeout)";
        } else if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !r->status) {
            outcome += " (client gone)";
        }
        f.options.request_log("request " + r->method + " " + r->logged_path + " " +
                              outcome + " in " + std::to_string(r->received) + " B out " +
                              std::to_string(r->sent) + " B " + std::to_string(ms) + " ms");
    }
    delete r;
}

}  // namespace jejak::authority
