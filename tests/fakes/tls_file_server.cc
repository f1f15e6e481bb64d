// The TLS file server over cpp-httplib's SSLServer.
#include "tests/fakes/tls_file_server.h"

#include <httplib.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace jejak::testing {

struct TlsFileServer::Impl {
    Impl(const std::string& cert, const std::string& key) : server(cert.c_str(), key.c_str()) {}
    httplib::SSLServer server;
    std::map<std::string, std::string> files;
    std::thread thread;
    int port = 0;
};

TlsFileServer::TlsFileServer(const std::string& cert_file, const std::string& key_file,
                             std::map<std::string, std::string> files)
    : impl_(std::make_unique<Impl>(cert_file, key_file)) {
    if (!impl_->server.is_valid()) throw std::runtime_error("tls server: bad cert or key");
    impl_->files = std::move(files);
    impl_->server.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
        auto it = impl_->files.find(req.path);
        if (it == impl_->files.end()) {
            res.status = 404;
            return;
        }
        res.set_content(it->second, "application/octet-stream");
    });
    impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
    if (impl_->port <= 0) throw std::runtime_error("tls server: cannot bind 127.0.0.1");
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
    while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TlsFileServer::~TlsFileServer() {
    impl_->server.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::string TlsFileServer::url() const {
    return "https://127.0.0.1:" + std::to_string(impl_->port) + "/";
}

}  // namespace jejak::testing
