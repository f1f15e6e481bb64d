// "One unauthenticated client takes the server down": each attack of the audit against the
// real `jejak-authority serve` on 127.0.0.1, from another loopback source address
// (127.0.0.2), while a legitimate client on 127.0.0.1 must be answered within 2 s and the
// server's resident set (/proc/PID/status) must stay under 64 MiB (under AddressSanitizer,
// whose shadow memory alone is more, it may grow at most 32 MiB over the idle server's).
// Also the port-in-use, plain-HTTP and HTTPS rules of `serve`. Real processes and sockets:
// every wait is bounded wall time, a few seconds per case.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "authority/requests.h"
#include "authority_test_util.h"
#include "raw_http.h"
#include "tests/support/child_process.h"

namespace jejak::testing {
namespace {

constexpr long kRssLimitKiB = 64 * 1024;
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
constexpr long kSanitizedGrowthKiB = 32 * 1024;
constexpr char kAttacker[] = "127.0.0.2";

std::vector<std::string> Serve(const TestAuthority& a, std::vector<std::string> args) {
    std::vector<std::string> argv = {BuiltBinary("jejak-authority"), "--state-dir", a.dir(),
                                     "serve"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

// A `jejak-authority serve` process on 127.0.0.1 with an 18.5 KB index.txt to serve.
struct ServedAuthority {
    TestAuthority a;
    std::unique_ptr<ChildProcess> process;
    int port = 0;
    long idle_rss = 0;  // KiB, right after start

    explicit ServedAuthority(const nlohmann::json& limits = UnreachedRateLimits()) : a("", limits) {
        std::filesystem::create_directories(a.state().exports_dir());
        std::ofstream(a.state().exports_dir() + "/index.txt") << std::string(18500, 'i');
        process = std::make_unique<ChildProcess>(
            Serve(a, {"--listen", "127.0.0.1:0", "--threads", "4"}));
        REQUIRE_MESSAGE(process->WaitFor(0, "\n", 10000), process->err());
        const std::string& line = process->out();
        REQUIRE(line.rfind("listening on http://127.0.0.1:", 0) == 0);
        port = std::stoi(line.substr(line.rfind(':') + 1));
        idle_rss = RssKiB(process->pid());
    }
    ~ServedAuthority() {
        process->Signal(SIGTERM);
        CHECK(process->Wait() == 0);
    }

    // A legitimate request from 127.0.0.1 (a fresh connection): answered, and within 2 s.
    void LegitimateRequestAnswered() {
        httplib::Client c("127.0.0.1", port);
        c.set_connection_timeout(2);
        c.set_read_timeout(2);
        const auto start = std::chrono::steady_clock::now();
        auto res = c.Get("/healthz");
        const auto took = std::chrono::steady_clock::now() - start;
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(took < std::chrono::seconds(2));
        const long rss = RssKiB(process->pid());
        CAPTURE(rss);
        CAPTURE(idle_rss);
        CHECK(rss > 0);
        CHECK(rss < (kSanitized ? idle_rss + kSanitizedGrowthKiB : kRssLimitKiB));
    }
};

TEST_CASE("authority attack: slowloris connections do not stall other clients") {
    ServedAuthority s;
    // More connections than the per-address cap, each sending a header line every 1.5 s.
    std::vector<std::unique_ptr<RawClient>> slow;
    for (int i = 0; i < 40; ++i) {
        slow.push_back(std::make_unique<RawClient>(s.port, kAttacker));
        (void)slow.back()->Send("POST /api/verify HTTP/1.1\r\nHost: x\r\n", 200);
    }
    for (int round = 0; round < 3; ++round) {
        for (auto& c : slow) (void)c->Send("X-Slow: " + std::to_string(round) + "\r\n", 100);
        s.LegitimateRequestAnswered();
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    }
    s.LegitimateRequestAnswered();
}

TEST_CASE("authority attack: endless header lines are cut off at the header limit") {
    ServedAuthority s;
    RawClient huge(s.port, kAttacker, 16384);
    bool open = huge.Send("POST /api/verify HTTP/1.1\r\nHost: x\r\n");
    const std::string line = "X-Pad: " + std::string(1000, 'h') + "\r\n";
    while (open && huge.sent() < (400u << 20)) open = huge.Send(line, 1000);
    CHECK_FALSE(open);
    CAPTURE(huge.sent());
    CHECK(huge.sent() < (1u << 20));
    s.LegitimateRequestAnswered();
}

TEST_CASE("authority attack: an oversize chunked publish is refused as it arrives") {
    ServedAuthority s;
    RawClient big(s.port, kAttacker, 16384);
    bool open = big.Send("POST /v1/publish HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                         "Content-Type: application/json\r\n\r\n");
    const std::string chunk = "100000\r\n" + std::string(1u << 20, '{') + "\r\n";
    while (open && big.sent() < (300u << 20)) open = big.Send(chunk, 1000);
    CHECK_FALSE(open);
    CAPTURE(big.sent());
    // Refused before 1 MiB beyond the limit was read (the client's count includes what the
    // kernel's socket buffers took).
    CHECK(big.sent() < authority::kMaxRequestBytes + (1u << 20));
    s.LegitimateRequestAnswered();
    CHECK(s.process->WaitFor(1, "request POST /v1/publish closed (body over 65536 bytes)", 2000));
}

TEST_CASE("authority attack: a gzip body is refused with 415, never inflated") {
    ServedAuthority s;
    RawClient gzip(s.port, kAttacker);
    // 61 KB as the audit sent (a gzip member header and data that would inflate to 60 MiB).
    const std::string body = std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) +
                             std::string(61000, '\x01');
    REQUIRE(gzip.Send("POST /api/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Encoding: gzip\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n"));
    (void)gzip.Send(body, 500);
    CHECK(RawClient::Status(gzip.Read()) == 415);
    s.LegitimateRequestAnswered();
}

TEST_CASE("authority attack: a many-range request gets 416, not the file 2,700 times") {
    ServedAuthority s;
    std::string ranges = "bytes=0-";
    for (int i = 0; i < 2700; ++i) ranges += ",0-";
    RawClient many(s.port, kAttacker);
    REQUIRE(many.Send("GET /exports/index.txt HTTP/1.1\r\nHost: x\r\nRange: " + ranges +
                      "\r\n\r\n"));
    const std::string reply = many.Read();
    CHECK(RawClient::Status(reply) == 416);
    CHECK(reply.size() < 1024);
    s.LegitimateRequestAnswered();
}

TEST_CASE("authority attack: a sign-in flood on the console is rate limited, memory bounded") {
    // The console is on by default; the per-address bucket of code verification guards it.
    const nlohmann::json wide = {{"burst", 1e6}, {"per_hour", 1e9}};
    ServedAuthority s({{"per_address", {{"burst", 20}, {"per_hour", 120}}},
                       {"per_api_key", wide}, {"failed_verifications", wide}});
    int limited = 0, refused = 0;
    for (int i = 0; i < 30; ++i) {
        RawClient get(s.port, kAttacker);
        REQUIRE(get.Send("GET /console/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        const std::string page = get.Read();
        std::smatch cookie, csrf;
        REQUIRE(std::regex_search(page, cookie, std::regex("Set-Cookie: jejak_login=([^;]+)")));
        REQUIRE(std::regex_search(page, csrf, std::regex("name=\"csrf\" value=\"([^\"]+)\"")));
        const std::string body =
            "csrf=" + csrf[1].str() + "&user=nobody&password=guess-" + std::to_string(i);
        RawClient post(s.port, kAttacker);
        REQUIRE(post.Send("POST /console/login HTTP/1.1\r\nHost: x\r\nCookie: jejak_login=" +
                          cookie[1].str() +
                          "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                          "Content-Length: " + std::to_string(body.size()) +
                          "\r\nConnection: close\r\n\r\n" + body));
        const int status = RawClient::Status(post.Read(10000));
        if (status == 429) ++limited;
        if (status == 401) ++refused;
    }
    CHECK(refused == 20);
    CHECK(limited == 10);
    s.LegitimateRequestAnswered();
}

TEST_CASE("authority serve: a second server on a port in use exits with a clear message") {
    ServedAuthority s;
    ChildProcess second(Serve(s.a, {"--listen", "127.0.0.1:" + std::to_string(s.port)}));
    const bool said = second.WaitFor(1, "already in use", 10000);
    if (!said) second.Signal(SIGTERM);
    CHECK(said);
    CHECK(second.Wait() != 0);
    CHECK(second.out().find("listening") == std::string::npos);
}

TEST_CASE("authority serve: plain HTTP off loopback needs --insecure-http") {
    TestAuthority a;
    ChildProcess refused(Serve(a, {"--listen", "0.0.0.0:0"}));
    const bool said = refused.WaitFor(1, "plain HTTP is served only on loopback", 10000);
    if (!said) refused.Signal(SIGTERM);
    CHECK(said);
    CHECK(refused.Wait() == 2);
    ChildProcess allowed(Serve(a, {"--listen", "0.0.0.0:0", "--insecure-http"}));
    CHECK(allowed.WaitFor(0, "listening on http://0.0.0.0:", 10000));
    allowed.Signal(SIGTERM);
    CHECK(allowed.Wait() == 0);
}

TEST_CASE("authority serve: HTTPS with --tls-cert and --tls-key") {
    TestAuthority a;
    const std::string cert = a.dir() + "/tls-cert.pem", key = a.dir() + "/tls-key.pem";
    const std::string make = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                             "-nodes -days 1 -subj /CN=127.0.0.1 -addext "
                             "subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert +
                             " >/dev/null 2>&1";
    REQUIRE(std::system(make.c_str()) == 0);
    ChildProcess tls(Serve(a, {"--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key}));
    REQUIRE_MESSAGE(tls.WaitFor(0, "\n", 10000), tls.err());
    REQUIRE(tls.out().rfind("listening on https://127.0.0.1:", 0) == 0);
    const int port = std::stoi(tls.out().substr(tls.out().rfind(':') + 1));
    httplib::SSLClient c("127.0.0.1", port);
    c.set_ca_cert_path(cert.c_str());
    c.enable_server_certificate_verification(true);
    auto res = c.Get("/healthz");
    REQUIRE(res);
    CHECK(res->status == 200);
    httplib::Client plain("127.0.0.1", port);
    plain.set_read_timeout(2);
    auto refused = plain.Get("/healthz");
    CHECK((!refused || refused->status != 200));
    tls.Signal(SIGTERM);
    CHECK(tls.Wait() == 0);
}

}  // namespace
}  // namespace jejak::testing
