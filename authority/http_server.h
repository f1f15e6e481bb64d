// The authority's HTTP(S) front: routes the published endpoints to AuthorityService and
// serves the exports directory as static files.
//   POST /api/verify, POST /api/certificate   verification API (X-API-Key)
//   POST /v1/publish                          key server publish API
//   GET  /exports/index.txt, /exports/<batch>.zip
// Request bodies over 64 KiB are refused (413) before any handler runs; header X-Chaff marks
// a decoy request. Nothing is logged: no addresses, no bodies. cpp-httplib is included only
// by http_server.cc.
#pragma once

#include <memory>
#include <string>

#include "authority/service.h"
#include "platform/base/status.h"

namespace jejak::authority {

struct ServeOptions {
    std::string host = "127.0.0.1";
    int port = 0;              // 0: an ephemeral port, see AuthorityHttpServer::port()
    std::string tls_cert_file;  // both set: HTTPS with this PEM certificate chain and key
    std::string tls_key_file;
    int threads = 8;
};

// Parses "HOST:PORT" (e.g. "127.0.0.1:8080", "[::1]:0"). InvalidArgument otherwise.
Result<ServeOptions> ParseListen(const std::string& listen);

class AuthorityHttpServer {
public:
    AuthorityHttpServer(AuthorityService& service, std::string exports_dir);
    ~AuthorityHttpServer();
    AuthorityHttpServer(const AuthorityHttpServer&) = delete;
    AuthorityHttpServer& operator=(const AuthorityHttpServer&) = delete;

    // Binds the listening socket (so port() is known before Run). Unavailable when the
    // address cannot be bound; InvalidArgument for an unusable TLS certificate or key.
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
