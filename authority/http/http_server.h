// The authority's HTTP(S) front over libmicrohttpd: routes the published endpoints to
// AuthorityService and serves the exports directory as static files.
//   POST /api/verify, POST /api/certificate   verification API (X-API-Key)
//   POST /v1/publish                          key server publish API
//   GET  /exports/index.txt, /exports/<batch>.zip   ETag, Last-Modified, 304, one range
//   GET  /healthz                             database reachable, age of index.txt
//   /console/..., GET /metrics                 ServeOptions::console / ::metrics when set
// Every limit of RequestLimits is Jejak's own check (http_rules.h), whatever the library
// also does: request line, header count and bytes (414, 431), body bytes as received for any
// transfer coding (413 when announced, the connection closed once a chunked body passes
// it), Content-Encoding on the API (415), idle timeout and per-request deadline, total and
// per-address connection caps with a bounded listen queue, memory per connection. Header
// X-Chaff marks a decoy request. The request log (ServeOptions::request_log) gets one line
// per request: method, route, status, bytes, milliseconds; never addresses, bodies, codes,
// tokens or keys. libmicrohttpd is included only by http_server.cc and http_front.cc.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "authority/http/http_rules.h"
#include "authority/service.h"
#include "platform/base/clock.h"
#include "platform/base/status.h"

namespace jejak::authority {

// A request for a handler beside the JSON APIs (the staff console, /metrics), after the
// front's limits passed: the body is at most kMaxRequestBytes.
struct WebRequest {
    std::string method;  // GET, HEAD or POST
    std::string path;    // without the query
    std::string cookie;  // the Cookie header ("" when absent)
    std::string content_type;
    std::string origin;  // the Origin header ("" when absent)
    std::string authorization;
    std::string api_key;  // X-API-Key
    std::string body;
    std::string peer;  // the client's address
    bool tls = false;
};

struct WebReply {
    int status = 200;
    std::string content_type = "text/html; charset=utf-8";
    std::vector<std::pair<std::string, std::string>> headers;  // e.g. Set-Cookie, Location
    std::string body;
};

// Called from the server's threads.
using WebHandler = std::function<WebReply(const WebRequest&)>;

struct ServeOptions {
    std::string host = "127.0.0.1";
    int port = 0;              // 0: an ephemeral port, see AuthorityHttpServer::port()
    std::string tls_cert_file;  // both set: HTTPS with this PEM certificate chain and key
    std::string tls_key_file;
    int threads = 8;
    // Plain HTTP is refused on any address but loopback unless this is set.
    bool insecure_http = false;
    RequestLimits limits;
    // /healthz: the export age is measured on this clock (null: the system clock).
    const Clock* clock = nullptr;
    // /healthz: Ok when the database answers (empty: not checked).
    std::function<Status()> database_check;
    // One line per request (empty: no log). Called from the server's threads.
    std::function<void(const std::string&)> request_log;
    // /console and everything below it (empty: 404, as for any unknown path).
    WebHandler console;
    // GET /metrics (empty: 404).
    WebHandler metrics;
    // Told once per finished request: its route ("/api/verify", "/exports/", "/console/",
    // "other" for an unknown path...), HTTP status (0: the connection closed before a
    // reply) and duration. Called from the server's threads; may be empty.
    std::function<void(const std::string& route, int status, double seconds)> observe;
};

// Parses "HOST:PORT" (e.g. "127.0.0.1:8080", "[::1]:0"). InvalidArgument otherwise.
Result<ServeOptions> ParseListen(const std::string& listen);

class AuthorityHttpServer {
public:
    AuthorityHttpServer(AuthorityService& service, std::string exports_dir);
    ~AuthorityHttpServer();
    AuthorityHttpServer(const AuthorityHttpServer&) = delete;
    AuthorityHttpServer& operator=(const AuthorityHttpServer&) = delete;

    // Binds the listening socket (so port() is known before Run), never sharing a port
    // (no SO_REUSEPORT): Unavailable when the address cannot be bound or is in use;
    // InvalidArgument for an unusable TLS certificate or key, or plain HTTP on an address
    // other than loopback without insecure_http.
    Status Bind(const ServeOptions& options);
    int port() const;
    // Serves until Stop(); returns when the server has stopped. Call after a successful Bind.
    Status Run();
    // Thread-safe; Run returns soon after. Safe to call before Run or twice.
    void Stop();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace jejak::authority
