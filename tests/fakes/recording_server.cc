// The recording server over cpp-httplib.
#include "tests/fakes/recording_server.h"

#include <httplib.h>

#include <chrono>
#include <stdexcept>

namespace jejak::testing {

struct RecordingServer::Impl {
    httplib::Server server;
    std::thread thread;
    int port = 0;
    mutable std::mutex mu;
    std::vector<RecordedRequest> requests;
    std::map<std::string, std::deque<std::pair<int, std::string>>> queued;
    std::string date;  // Date header of every reply, when set

    // Default answers: a verification server that accepts any code for a confirmed test,
    // and a key server that accepts every upload.
    static std::pair<int, std::string> Default(const std::string& path) {
        if (path == "/api/verify") {
            return {200, R"({"testtype":"confirmed","token":"test.token.jwt","padding":""})"};
        }
        if (path == "/api/certificate") return {200, R"({"certificate":"test.cert.jwt"})"};
        if (path == "/v1/publish") {
            return {200, R"({"revisionToken":"revision-1","insertedExposures":1})"};
        }
        return {404, R"({"error":"not found"})"};
    }

    void Handle(const httplib::Request& req, httplib::Response& res) {
        std::pair<int, std::string> reply;
        std::string date_header;
        {
            std::lock_guard<std::mutex> lock(mu);
            requests.push_back({req.method, req.path, req.body, req.get_header_value("X-API-Key"),
                                req.has_header("X-Chaff")});
            auto& q = queued[req.path];
            if (!q.empty()) {
                reply = q.front();
                q.pop_front();
            } else {
                reply = Default(req.path);
            }
            date_header = date;
        }
        if (!date_header.empty()) res.set_header("Date", date_header);
        res.status = reply.first;
        res.set_content(reply.second, "application/json");
    }
};

RecordingServer::RecordingServer() : impl_(std::make_unique<Impl>()) {
    impl_->server.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
        impl_->Handle(req, res);
    });
    impl_->server.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
        impl_->Handle(req, res);
    });
    impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
    if (impl_->port <= 0) throw std::runtime_error("recording server: cannot bind 127.0.0.1");
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
    // Stop() before the loop runs would be lost and the destructor would wait forever.
    while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

RecordingServer::~RecordingServer() {
    impl_->server.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::string RecordingServer::url() const {
    return "http://127.0.0.1:" + std::to_string(impl_->port);
}

void RecordingServer::Queue(const std::string& path, int status, const std::string& body) {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->queued[path].emplace_back(status, body);
}

void RecordingServer::SetDate(const std::string& value) {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->date = value;
}

std::vector<RecordedRequest> RecordingServer::requests() const {
    std::lock_guard<std::mutex> lock(impl_->mu);
    return impl_->requests;
}

}  // namespace jejak::testing
