// Issue 22 point 3, "chaff can be told apart from a real upload by size": the device's real
// upload and its decoy, both through the real libcurl poster to the real authority server on
// 127.0.0.1, with a relay between them counting every byte each way per connection (request
// line and headers included, as a network observer sees them under TLS). For each of the
// three calls the request and the reply are the same size; and every status a call can
// answer has one reply size.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>

#include "agent/upload/upload_client.h"
#include "authority_test_util.h"

namespace jejak::testing {
namespace {

// Bytes of one relayed connection: client to server, server to client.
struct Traffic {
    size_t up = 0;
    size_t down = 0;
};

// A loopback TCP relay to `target_port` that serves one connection at a time and records
// its bytes once both sides have closed.
class CountingRelay {
public:
    explicit CountingRelay(int target_port) : target_port_(target_port) {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(listen_fd_ >= 0);
        sockaddr_in a = Loopback(0);
        REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(::listen(listen_fd_, 4) == 0);
        socklen_t len = sizeof a;
        REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { Serve(); });
    }
    ~CountingRelay() {
        stop_ = true;
        thread_.join();
        ::close(listen_fd_);
    }
    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    // The connections recorded so far, after waiting (up to 10 s) until there are `n`.
    std::vector<Traffic> WaitFor(size_t n) {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::seconds(10), [&] { return done_.size() >= n; });
        return done_;
    }

private:
    static sockaddr_in Loopback(int port) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<uint16_t>(port));
        return a;
    }

    void Serve() {
        while (!stop_) {
            pollfd p{listen_fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in a = Loopback(target_port_);
            Traffic t;
            if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
                t = Relay(client, server);
            }
            ::close(server);
            ::close(client);
            std::lock_guard lock(mu_);
            done_.push_back(t);
            cv_.notify_all();
        }
    }

    // Copies both ways until both have closed (or 10 s pass); a half close is passed on.
    Traffic Relay(int client, int server) {
        Traffic t;
        bool client_open = true, server_open = true;
        char buf[16384];
        for (int idle_ms = 0; (client_open || server_open) && idle_ms < 10000 && !stop_;) {
            pollfd p[2] = {{client, static_cast<short>(client_open ? POLLIN : 0), 0},
                           {server, static_cast<short>(server_open ? POLLIN : 0), 0}};
            const int ready = ::poll(p, 2, 50);
            if (ready <= 0) {
                idle_ms += 50;
                continue;
            }
            idle_ms = 0;
            for (int side = 0; side < 2; ++side) {
                if (!(p[side].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                const int from = side == 0 ? client : server, to = side == 0 ? server : client;
                const ssize_t n = ::read(from, buf, sizeof buf);
                if (n <= 0) {
                    (side == 0 ? client_open : server_open) = false;
                    ::shutdown(to, SHUT_WR);
                    continue;
                }
                (side == 0 ? t.up : t.down) += static_cast<size_t>(n);
                for (ssize_t off = 0; off < n;) {
                    const ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
                    if (w <= 0) break;
                    off += w;
                }
            }
        }
        return t;
    }

    int target_port_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Traffic> done_;
};

UploadConfig DeviceConfig(TestAuthority& a, const CountingRelay& relay) {
    UploadConfig c;
    c.verification_url = relay.url();
    c.publish_url = relay.url();
    c.api_key = a.api_key();
    c.health_authority_id = a.state().settings().health_authority_id;
    c.allow_http_loopback = true;
    return c;
}

// What a device holding 14 days of keys sends at kTestNow: today's key cut at the current
// interval, then one key per past day.
std::vector<ExposureKey> DeviceKeys(RandomSource& random) {
    const uint32_t today = DayStartInterval(kTestNow);
    std::vector<ExposureKey> keys(14);
    for (size_t i = 0; i < keys.size(); ++i) {
        random.Fill(keys[i].key.mutable_bytes());
        keys[i].rolling_start_number = today - 144 * static_cast<uint32_t>(i);
        keys[i].rolling_period = i == 0 ? IntervalOf(kTestNow) - today + 1 : 144;
    }
    return keys;
}

}  // namespace

TEST_CASE("chaff on the wire: each call's decoy request and reply are the real one's size") {
    TestAuthority a;
    a.StartServer();
    CountingRelay relay(a.port());
    const UploadConfig config = DeviceConfig(a, relay);
    std::unique_ptr<HttpPoster> poster = NewUploadPoster(config);
    SystemRandom random;
    UploadClient client(config, *poster, random);

    auto code = a.service().IssueCode("confirmed", "2027-01-11", "2027-01-13", 3600);
    REQUIRE(code.ok());
    auto real = client.Report(code->code, DeviceKeys(random), "");
    REQUIRE_MESSAGE(real.ok(), real.status().ToString());
    CHECK(real->inserted == 14);
    REQUIRE(client.Chaff(14, IntervalOf(kTestNow), false).ok());
    CHECK(a.Exposures() == 14);  // the decoy stored nothing

    const std::vector<Traffic> t = relay.WaitFor(6);
    REQUIRE(t.size() == 6);
    const char* calls[] = {"verify", "certificate", "publish"};
    for (size_t i = 0; i < 3; ++i) {
        CAPTURE(calls[i]);
        CAPTURE(t[i].up);
        CAPTURE(t[i].down);
        CHECK(t[i].up > 0);
        CHECK(t[i].down > authority::kReplyBytes);
        CHECK(t[3 + i].up == t[i].up);
        CHECK(t[3 + i].down == t[i].down);
    }
    MESSAGE("request/reply bytes: verify " << t[0].up << "/" << t[0].down << ", certificate "
                                           << t[1].up << "/" << t[1].down << ", publish "
                                           << t[2].up << "/" << t[2].down);
}

TEST_CASE("chaff on the wire: every status of a call has one reply size") {
    // A per-address burst of 12 verify calls (chaff takes none), so the 13th real one is a 429.
    TestAuthority a("", {{"per_address", {{"burst", 12}, {"per_hour", 1}}}});
    a.StartServer();
    CountingRelay relay(a.port());
    // A fresh connection per request (as the device's poster makes), through the relay.
    const auto post = [&](const std::string& path, const nlohmann::json& body, bool key,
                          bool chaff) {
        httplib::Client c("127.0.0.1", relay.port());
        httplib::Headers h;
        if (key) h.emplace("X-API-Key", a.api_key());
        if (chaff) h.emplace("X-Chaff", "1");
        auto res = c.Post(path, h, body.dump(), "application/json");
        REQUIRE(res);
        return res->status;
    };
    const std::string negative = a.IssueCode("negative");
    std::vector<int> verify = {
        post("/api/verify", {{"code", "0123456789"}}, true, true),                 // 200 chaff
        post("/api/verify", {{"code", a.IssueCode()}}, true, false),               // 200
        post("/api/verify", {{"code", "0123456789"}}, true, false),                // 400
        post("/api/verify", {{"code", "0123456789"}}, false, false),               // 401
        post("/api/verify", {{"code", negative}, {"accept", {"confirmed"}}}, true,
             false),                                                               // 412
        post("/api/verify", {{"code", 7}}, true, false),                              // 400
    };
    while (verify.size() < 14) verify.push_back(post("/api/verify", {{"code", "1"}}, true, false));
    CHECK(verify[0] == 200);
    CHECK(verify[1] == 200);
    CHECK(verify[2] == 400);
    CHECK(verify[3] == 401);
    CHECK(verify[4] == 412);
    CHECK(verify.back() == 429);
    const std::vector<int> publish = {
        post("/v1/publish", {{"temporaryExposureKeys", nlohmann::json::array()}}, false, true),
        post("/v1/publish", {{"x", 1}}, false, false),
        post("/v1/publish",
             a.PublishBody(PastKeys(2, a.random()), "a.b.c", std::vector<uint8_t>(16, 1)), false,
             false),
    };
    CHECK(publish == std::vector<int>{200, 400, 401});

    const std::vector<Traffic> t = relay.WaitFor(verify.size() + publish.size());
    REQUIRE(t.size() == verify.size() + publish.size());
    for (size_t i = 0; i < verify.size(); ++i) {
        CAPTURE(verify[i]);
        CHECK(t[i].down == t[0].down);
    }
    for (size_t i = 0; i < publish.size(); ++i) {
        CAPTURE(publish[i]);
        CHECK(t[verify.size() + i].down == t[verify.size()].down);
    }
}

}  // namespace jejak::testing
