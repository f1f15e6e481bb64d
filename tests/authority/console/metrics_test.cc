// /metrics in the Prometheus text format: the strict parser accepts the writer's output and
// rejects what the format forbids; through the real server, one bad code is one refused
// guess and one 400 on /api/verify, a claimed code and published keys are counted, and the
// access modes (loopback, API key) hold.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <thread>

#include "authority/metrics/authority_metrics.h"
#include "tests/authority/authority_test_util.h"

namespace jejak::testing {
namespace {

using namespace jejak::authority;

TEST_CASE("metrics parser accepts the writer's families and escaped labels") {
    PrometheusWriter w;
    w.Family("a_total", "counter", "A help text.");
    w.Sample("a_total", {{"route", "/x\"y\\z\n"}}, 3);
    RequestMetrics r;
    r.Observe("/api/verify", 400, 0.003);
    r.Observe("/api/verify", 200, 0.7);
    r.Observe("/api/verify", 200, 30);
    r.Write(w);
    auto m = ParsePrometheusText(w.text());
    REQUIRE_MESSAGE(m.ok(), m.status().ToString());
    CHECK(m->types.at("a_total") == "counter");
    CHECK(*m->Value("a_total", {{"route", "/x\"y\\z\n"}}) == 3);
    CHECK(*m->Value("jejak_authority_http_requests_total",
                    {{"route", "/api/verify"}, {"status", "200"}}) == 2);
    const std::string h = "jejak_authority_http_request_duration_seconds";
    CHECK(*m->Value(h + "_bucket", {{"route", "/api/verify"}, {"le", "0.005"}}) == 1);
    CHECK(*m->Value(h + "_bucket", {{"route", "/api/verify"}, {"le", "1"}}) == 2);
    CHECK(*m->Value(h + "_bucket", {{"route", "/api/verify"}, {"le", "+Inf"}}) == 3);
    CHECK(*m->Value(h + "_count", {{"route", "/api/verify"}}) == 3);
}

TEST_CASE("metrics parser rejects text outside the format") {
    for (const char* bad : {
             "a 1",                                            // no final newline
             "1a 1\n",                                         // name starts with a digit
             "a{b=\"c} 1\n",                                   // unterminated label value
             "a{b=c} 1\n",                                     // unquoted label value
             "a{b=\"\\q\"} 1\n",                               // unknown escape
             "a{b=\"1\",b=\"2\"} 1\n",                         // repeated label
             "a one\n",                                        // not a number
             "# TYPE a counter\n# TYPE a counter\na 1\n",      // second TYPE
             "a 1\n# TYPE a counter\n",                        // TYPE after samples
             "# TYPE a thing\n",                               // unknown type
             "# TYPE a counter\na -1\n",                       // negative counter
             "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
             "h_sum 1\nh_count 1\n",                           // buckets not cumulative
             "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",  // no +Inf
             "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n",  // != count
         }) {
        CAPTURE(bad);
        CHECK(ParsePrometheusText(bad).status().code() == StatusCode::kInvalidArgument);
    }
}

struct MetricsServer {
    explicit MetricsServer(MetricsAccess access) {
        authority.StartServer([&](ServeOptions& o) {
            o.observe = [this](const std::string& route, int status, double s) {
                requests.Observe(route, status, s);
            };
            o.metrics = MetricsHandler(access, authority.state(), [this] {
                PrometheusWriter w;
                requests.Write(w);
                WriteServiceCounters(authority.service().counters(), w);
                ExportFigures f;
                f.stored_keys = authority.Exposures();
                WriteExportFigures(f, w);
                return w.text();
            });
        });
    }
    ~MetricsServer() { authority.StopServer(); }  // its threads use `requests`
    ParsedMetrics Scrape(httplib::Headers headers = {}) {
        httplib::Client c("127.0.0.1", authority.port());
        auto res = c.Get("/metrics", headers);
        REQUIRE(res);
        REQUIRE(res->status == 200);
        CHECK(res->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
        auto m = ParsePrometheusText(res->body);
        REQUIRE_MESSAGE(m.ok(), m.status().ToString());
        return *m;
    }
    TestAuthority authority;
    RequestMetrics requests;
};

TEST_CASE("metrics count one refused guess for one bad code, and claims and keys") {
    MetricsServer s(MetricsAccess::kLoopback);
    CHECK(*s.Scrape().Value("jejak_authority_verifications_failed_total") == 0);
    HttpResult bad = s.authority.PostJson("/api/verify", {{"code", "0000000000"}});
    CHECK(bad.status == 400);
    // The front counts a request once its reply has gone out, so a scrape right after the
    // reply may not show it yet: scrape again, briefly, until it does (each scrape is itself
    // a /metrics request, hence ">=" for those below).
    const auto scrape_until = [&s](const std::string& name,
                                  const std::map<std::string, std::string>& labels) {
        ParsedMetrics p = s.Scrape();
        for (int i = 0; i < 400 && !p.Value(name, labels).ok(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            p = s.Scrape();
        }
        return p;
    };
    ParsedMetrics m = scrape_until("jejak_authority_http_requests_total",
                                   {{"route", "/api/verify"}, {"status", "400"}});
    CHECK(*m.Value("jejak_authority_verifications_failed_total") == 1);
    CHECK(*m.Value("jejak_authority_http_requests_total",
                   {{"route", "/api/verify"}, {"status", "400"}}) == 1);
    CHECK(*m.Value("jejak_authority_codes_claimed_total") == 0);

    HttpResult published = s.authority.ReportKeys(PastKeys(3, s.authority.random()));
    CHECK(published.status == 200);
    m = scrape_until("jejak_authority_http_request_duration_seconds_count",
                     {{"route", "/v1/publish"}});
    CHECK(*m.Value("jejak_authority_verifications_failed_total") == 1);
    CHECK(*m.Value("jejak_authority_codes_issued_total") == 1);
    CHECK(*m.Value("jejak_authority_codes_claimed_total") == 1);
    CHECK(*m.Value("jejak_authority_keys_published_total") == 3);
    CHECK(*m.Value("jejak_authority_stored_keys") == 3);
    CHECK(*m.Value("jejak_authority_http_requests_total",
                   {{"route", "/metrics"}, {"status", "200"}}) >= 2);
    CHECK(*m.Value("jejak_authority_http_request_duration_seconds_count",
                   {{"route", "/v1/publish"}}) == 1);
}

TEST_CASE("metrics in api-key mode refuse a caller without the key") {
    MetricsServer s(MetricsAccess::kApiKey);
    httplib::Client c("127.0.0.1", s.authority.port());
    CHECK(c.Get("/metrics")->status == 403);
    CHECK(c.Get("/metrics", {{"Authorization", "Bearer wrong"}})->status == 403);
    s.Scrape({{"Authorization", "Bearer " + s.authority.api_key()}});
    s.Scrape({{"X-API-Key", s.authority.api_key()}});
    CHECK(ParseMetricsAccess("everyone").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("metrics are not served unless enabled") {
    TestAuthority a;
    a.StartServer();
    CHECK(a.Get("/metrics").first == 404);
    CHECK(a.Get("/console/").first == 404);
}

}  // namespace
}  // namespace jejak::testing
