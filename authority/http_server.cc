// cpp-httplib binding of the authority's endpoints (HTTPS through its OpenSSL support).
#include "authority/http_server.h"

#include <httplib.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <thread>

#include "authority/requests.h"

namespace jejak::authority {
namespace {

constexpr int kPayloadTooLarge = 413;

bool IsChaff(const httplib::Request& req) { return req.has_header("X-Chaff"); }

std::optional<std::string_view> ApiKey(const httplib::Request& req) {
    if (!req.has_header("X-API-Key")) return std::nullopt;
    const auto it = req.headers.find("X-API-Key");
    return std::string_view(it->second);
}

void Send(httplib::Response& res, const ApiReply& reply) {
    res.status = reply.status;
    res.set_header("Cache-Control", "no-store");
    res.set_content(reply.body.dump(), "application/json");
}

}  // namespace

struct AuthorityHttpServer::Impl {
    Impl(AuthorityService& s, std::string dir) : service(s), exports_dir(std::move(dir)) {}

    void Route(httplib::Server& server, int threads);

    AuthorityService& service;
    std::string exports_dir;
    std::unique_ptr<httplib::Server> server;
    int port = 0;
    // Stop may come before Run has started listening (a signal at start-up): Run checks
    // stop_requested after announcing itself, Stop waits for a running Run to listen.
    std::atomic<bool> stop_requested{false};
    std::atomic<bool> run_active{false};
};

void AuthorityHttpServer::Impl::Route(httplib::Server& s, int threads) {
    s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
    s.set_payload_max_length(kMaxRequestBytes);
    // Replies are small and written in pieces: without this, Nagle's algorithm and delayed
    // ACKs add ~40 ms to every keep-alive request.
    s.set_tcp_nodelay(true);
    s.Post("/api/verify", [this](const httplib::Request& req, httplib::Response& res) {
        Send(res, service.Verify(ApiKey(req), req.body, IsChaff(req), req.remote_addr));
    });
    s.Post("/api/certificate", [this](const httplib::Request& req, httplib::Response& res) {
        Send(res, service.Certificate(ApiKey(req), req.body, IsChaff(req), req.remote_addr));
    });
    s.Post("/v1/publish", [this](const httplib::Request& req, httplib::Response& res) {
        Send(res, service.Publish(req.body, IsChaff(req)));
    });
    s.set_mount_point("/exports", exports_dir);
    // Errors raised by the library itself (oversized body, unknown path) get the same JSON
    // shapes as the handlers' errors; replies that already carry a body are left alone.
    s.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const ApiFamily family =
            req.path.rfind("/v1/", 0) == 0 ? ApiFamily::kPublish : ApiFamily::kVerification;
        const bool too_large = res.status == kPayloadTooLarge;
        const std::string code = too_large ? (family == ApiFamily::kPublish ? "bad_request"
                                                                            : "unparsable_request")
                                           : "not_found";
        const std::string message =
            too_large ? "request body is larger than " + std::to_string(kMaxRequestBytes) + " bytes"
                      : "no such endpoint";
        const int status = res.status;
        Send(res, service.Error(family, status, code, message));
        return httplib::Server::HandlerResponse::Handled;
    }));
}

Result<ServeOptions> ParseListen(const std::string& listen) {
    const size_t colon = listen.rfind(':');
    const auto bad = [&] {
        return Status::InvalidArgument("--listen: expected HOST:PORT, got '" + listen + "'");
    };
    if (colon == std::string::npos || colon == 0) return bad();
    ServeOptions out;
    out.host = listen.substr(0, colon);
    if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
        out.host = out.host.substr(1, out.host.size() - 2);
    }
    const std::string port = listen.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || out.port < 0 ||
        out.port > 65535) {
        return bad();
    }
    return out;
}

AuthorityHttpServer::AuthorityHttpServer(AuthorityService& service, std::string exports_dir)
    : impl_(std::make_unique<Impl>(service, std::move(exports_dir))) {}

AuthorityHttpServer::~AuthorityHttpServer() { Stop(); }

Status AuthorityHttpServer::Bind(const ServeOptions& options) {
    const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
    if (tls) {
        if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
            return Status::InvalidArgument("HTTPS needs both a certificate and a key file");
        }
        auto server = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(),
                                                           options.tls_key_file.c_str());
        if (!server->is_valid()) {
            return Status::InvalidArgument("cannot load the TLS certificate " +
                                           options.tls_cert_file + " and key");
        }
        impl_->server = std::move(server);
    } else {
        impl_->server = std::make_unique<httplib::Server>();
    }
    impl_->Route(*impl_->server, std::max(1, options.threads));
    if (options.port == 0) {
        impl_->port = impl_->server->bind_to_any_port(options.host);
        if (impl_->port < 0) impl_->port = 0;
    } else if (impl_->server->bind_to_port(options.host, options.port)) {
        impl_->port = options.port;
    }
    if (impl_->port == 0) {
        return Status::Unavailable("cannot listen on " + options.host + ":" +
                                   std::to_string(options.port));
    }
    return Status::Ok();
}

int AuthorityHttpServer::port() const { return impl_->port; }

Status AuthorityHttpServer::Run() {
    if (!impl_->server || impl_->port == 0) return Status::FailedPrecondition("server not bound");
    impl_->run_active = true;
    const bool ok = impl_->stop_requested || impl_->server->listen_after_bind();
    impl_->run_active = false;
    return ok ? Status::Ok() : Status::Unavailable("the HTTP server stopped with an error");
}

void AuthorityHttpServer::Stop() {
    if (!impl_ || !impl_->server) return;
    impl_->stop_requested = true;
    while (impl_->run_active && !impl_->server->is_running()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    impl_->server->stop();
}

}  // namespace jejak::authority
