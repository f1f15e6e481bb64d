// The authority's HTTP front in process (authority/http/http_server.h) on 127.0.0.1: each of
// Jejak's own request limits with its status, conditional and range requests on /exports/,
// /healthz, the request log, the listen address rules and HTTPS. The attacks against the
// real `jejak-authority serve` process are in front_attack_test.cc.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "authority/requests.h"
#include "authority_test_util.h"
#include "raw_http.h"

namespace jejak::testing {
namespace {

std::string WriteExport(TestAuthority& a, const std::string& name, size_t bytes) {
    std::filesystem::create_directories(a.state().exports_dir());
    const std::string path = a.state().exports_dir() + "/" + name;
    std::ofstream(path, std::ios::binary) << std::string(bytes, 'x');
    return path;
}

// A server whose request log lines are kept.
struct LoggedServer {
    TestAuthority a;
    std::mutex mu;
    std::vector<std::string> lines;
    explicit LoggedServer(const std::function<void(authority::ServeOptions&)>& adjust = {}) {
        a.StartServer([&](authority::ServeOptions& o) {
            o.request_log = [this](const std::string& line) {
                std::lock_guard lock(mu);
                lines.push_back(line);
            };
            if (adjust) adjust(o);
        });
    }
    std::vector<std::string> Log() {
        std::lock_guard lock(mu);
        return lines;
    }
};

TEST_CASE("authority front: exports carry ETag and Last-Modified and answer 304") {
    TestAuthority a;
    a.StartServer();
    WriteExport(a, "index.txt", 500);
    httplib::Client c("127.0.0.1", a.port());
    auto first = c.Get("/exports/index.txt");
    REQUIRE(first);
    CHECK(first->status == 200);
    CHECK(first->body.size() == 500);
    const std::string etag = first->get_header_value("ETag");
    const std::string modified = first->get_header_value("Last-Modified");
    CHECK(etag.size() > 2);
    CHECK(modified.size() == 29);
    auto by_tag = c.Get("/exports/index.txt", {{"If-None-Match", etag}});
    REQUIRE(by_tag);
    CHECK(by_tag->status == 304);
    CHECK(by_tag->body.empty());
    auto by_date = c.Get("/exports/index.txt", {{"If-Modified-Since", modified}});
    REQUIRE(by_date);
    CHECK(by_date->status == 304);
    auto stale = c.Get("/exports/index.txt", {{"If-None-Match", "\"old\""}});
    REQUIRE(stale);
    CHECK(stale->status == 200);
    CHECK(c.Get("/exports/../authority.json")->status == 404);
    CHECK(c.Get("/exports/missing.zip")->status == 404);
}

TEST_CASE("authority front: one range is served, several ranges are 416") {
    TestAuthority a;
    a.StartServer();
    WriteExport(a, "index.txt", 1000);
    RawClient one(a.port());
    REQUIRE(one.Send("GET /exports/index.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\n\r\n"));
    const std::string partial = one.Read();
    CHECK(RawClient::Status(partial) == 206);
    CHECK(partial.find("Content-Range: bytes 10-19/1000") != std::string::npos);
    CHECK(partial.substr(partial.size() - 10) == std::string(10, 'x'));
    std::string ranges = "bytes=0-";
    for (int i = 0; i < 2700; ++i) ranges += ",0-";
    RawClient many(a.port());
    REQUIRE(many.Send("GET /exports/index.txt HTTP/1.1\r\nHost: x\r\nRange: " + ranges +
                      "\r\n\r\n"));
    const std::string refused = many.Read();
    CHECK(RawClient::Status(refused) == 416);
    CHECK(refused.size() < 1000);
}

TEST_CASE("authority front: Content-Encoding on the API is 415 and nothing is inflated") {
    TestAuthority a;
    a.StartServer();
    httplib::Client c("127.0.0.1", a.port());
    auto res = c.Post("/api/verify", {{"X-API-Key", a.api_key()}, {"Content-Encoding", "gzip"}},
                      std::string("\x1f\x8b\x08\x00", 4) + std::string(1000, '\0'),
                      "application/json");
    REQUIRE(res);
    CHECK(res->status == 415);
    CHECK(nlohmann::json::parse(res->body)["errorCode"] == "unparsable_request");
}

TEST_CASE("authority front: oversized bodies are refused, chunked ones as they arrive") {
    TestAuthority a;
    a.StartServer();
    httplib::Client c("127.0.0.1", a.port());
    auto announced = c.Post("/v1/publish", std::string(authority::kMaxRequestBytes + 1, ' '),
                            "application/json");
    REQUIRE(announced);
    CHECK(announced->status == 413);
    CHECK(nlohmann::json::parse(announced->body)["code"] == "bad_request");

    RawClient chunked(a.port(), "127.0.0.1", 16384);
    REQUIRE(chunked.Send("POST /v1/publish HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                         "Content-Type: application/json\r\n\r\n"));
    const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
    bool open = true;
    while (open && chunked.sent() < (64u << 20)) open = chunked.Send(chunk);
    CHECK_FALSE(open);  // the server closed the connection
    CHECK(chunked.sent() < authority::kMaxRequestBytes + (1u << 20));
    CHECK(a.Exposures() == 0);
}

TEST_CASE("authority front: long request lines and many or large headers are refused") {
    TestAuthority a;
    a.StartServer();
    RawClient line(a.port());
    REQUIRE(line.Send("GET /exports/" + std::string(3000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    CHECK(RawClient::Status(line.Read()) == 414);
    std::string many = "POST /api/verify HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 100; ++i) many += "X-H" + std::to_string(i) + ": 1\r\n";
    RawClient count(a.port());
    REQUIRE(count.Send(many + "\r\n"));
    CHECK(RawClient::Status(count.Read()) == 431);
    RawClient bytes(a.port());
    REQUIRE(bytes.Send("POST /api/verify HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') +
                       "\r\n\r\n"));
    CHECK(RawClient::Status(bytes.Read()) == 431);
}

TEST_CASE("authority front: a request not done within the deadline is cut off") {
    TestAuthority a;
    a.StartServer([](authority::ServeOptions& o) { o.limits.request_deadline_s = 1; });
    RawClient slow(a.port());
    REQUIRE(slow.Send("POST /api/verify HTTP/1.1\r\nHost: x\r\n"));
    const auto start = std::chrono::steady_clock::now();
    bool open = true;
    // One header line every 200 ms never leaves the connection idle; the deadline ends it.
    while (open && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        open = slow.Send("X-Slow: 1\r\n", 500);
        if (open) (void)slow.Read(1);
        open = open && !slow.closed();
    }
    CHECK_FALSE(open);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
}

TEST_CASE("authority front: /healthz reports the database and the export age") {
    bool database_up = true;
    TestAuthority a;
    a.StartServer([&](authority::ServeOptions& o) {
        o.clock = &a.clock();
        o.database_check = [&] {
            return database_up ? Status::Ok() : Status::Unavailable("down");
        };
    });
    httplib::Client c("127.0.0.1", a.port());
    auto none = c.Get("/healthz");
    REQUIRE(none);
    CHECK(none->status == 200);
    CHECK(nlohmann::json::parse(none->body)["export_age_seconds"].is_null());
    const std::string index = WriteExport(a, "index.txt", 10);
    const timeval times[2] = {{kTestNow - 120, 0}, {kTestNow - 120, 0}};
    REQUIRE(::utimes(index.c_str(), times) == 0);
    auto aged = c.Get("/healthz");
    REQUIRE(aged);
    const auto body = nlohmann::json::parse(aged->body);
    CHECK(body["database"] == "reachable");
    CHECK(body["export_age_seconds"] == 120);
    database_up = false;
    auto down = c.Get("/healthz");
    REQUIRE(down);
    CHECK(down->status == 503);
    CHECK(nlohmann::json::parse(down->body)["database"] == "unreachable");
}

TEST_CASE("authority front: one log line per request, without codes or keys") {
    LoggedServer s;
    const std::string code = s.a.IssueCode();
    CHECK(s.a.PostJson("/api/verify", {{"code", code}}).status == 200);
    CHECK(s.a.PostJson("/api/verify", {{"code", "1234567890"}}).status == 400);
    httplib::Client c("127.0.0.1", s.a.port());
    CHECK(c.Get("/api/verify/" + code)->status == 404);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (s.Log().size() < 3 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::vector<std::string> log = s.Log();
    REQUIRE(log.size() == 3);
    // Lines come in the order requests end, which across connections is any order.
    const auto logged = [&](const std::string& prefix) {
        return std::count_if(log.begin(), log.end(),
                             [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
    };
    CHECK(logged("request POST /api/verify 200 ") == 1);
    CHECK(logged("request POST /api/verify 400 ") == 1);
    CHECK(logged("request GET - 404 ") == 1);
    for (const std::string& line : log) {
        CAPTURE(line);
        CHECK(line.find(code) == std::string::npos);
        CHECK(line.find("1234567890") == std::string::npos);
        CHECK(line.find(s.a.api_key()) == std::string::npos);
        CHECK(line.find("127.0.0.1") == std::string::npos);
    }
}

TEST_CASE("authority front: plain HTTP only on loopback, and a port in use is refused") {
    TestAuthority a;
    authority::AuthorityHttpServer open(a.service(), a.state().exports_dir());
    authority::ServeOptions any;
    any.host = "0.0.0.0";
    const Status refused = open.Bind(any);
    CHECK(refused.code() == StatusCode::kInvalidArgument);
    CHECK(refused.message().find("loopback") != std::string::npos);
    any.insecure_http = true;
    REQUIRE(open.Bind(any).ok());

    a.StartServer();
    authority::AuthorityHttpServer second(a.service(), a.state().exports_dir());
    authority::ServeOptions same;
    same.port = a.port();
    const Status in_use = second.Bind(same);
    CHECK(in_use.code() == StatusCode::kUnavailable);
    CHECK(in_use.message().find("already in use") != std::string::npos);
}

}  // namespace
}  // namespace jejak::testing
