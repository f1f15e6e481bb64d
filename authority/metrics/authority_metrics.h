// The authority's /metrics: what an operator alerts on, in the Prometheus text format.
//   jejak_authority_http_requests_total{route,status}      every finished request
//   jejak_authority_http_request_duration_seconds{route}   latency histogram
//   jejak_authority_codes_{issued,claimed,expired}_total, _verifications_failed_total,
//   _rate_limited_total{endpoint}, _keys_published_total, _database_errors_total,
//   _chaff_requests_total                                   the service's counters
//   jejak_authority_export_batches, _newest_export_age_seconds, _stored_keys
//                                                           read at scrape time
// Counters are per process (Prometheus sums instances); the scrape-time figures come from
// the shared database and the exports directory. Nothing here holds a code, key or address.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "authority/authority_state.h"
#include "authority/counters.h"
#include "authority/http/http_server.h"
#include "authority/metrics/prometheus_text.h"

namespace jejak::authority {

// Request counts and latency per route; thread-safe (ServeOptions::observe calls it).
class RequestMetrics {
public:
    // Upper bounds of the latency buckets, seconds.
    static constexpr std::array<double, 10> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                        0.25,  0.5,  1,     2.5,  10};
    void Observe(const std::string& route, int status, double seconds);
    void Write(PrometheusWriter& out) const;

private:
    struct Latency {
        std::array<uint64_t, kBuckets.size()> buckets{};  // not cumulative
        uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mu_;
    std::map<std::pair<std::string, int>, uint64_t> requests_;
    std::map<std::string, Latency> latency_;
};

// Scrape-time figures (nullopt: unknown, the sample is left out).
struct ExportFigures {
    std::optional<int64_t> batches;
    std::optional<int64_t> newest_age_s;
    std::optional<int64_t> stored_keys;
};

void WriteServiceCounters(const AuthorityCounters& c, PrometheusWriter& out);
void WriteExportFigures(const ExportFigures& f, PrometheusWriter& out);

// Who may read /metrics: kLoopback, a client on 127.0.0.0/8 or ::1 (a local Prometheus or
// an SSH tunnel); kApiKey, anyone presenting the device API key (X-API-Key, or
// "Authorization: Bearer KEY").
enum class MetricsAccess { kLoopback, kApiKey };
// "loopback" or "api-key"; InvalidArgument otherwise.
Result<MetricsAccess> ParseMetricsAccess(const std::string& text);

// The /metrics handler: 403 for a caller `access` refuses, else 200 with `render()`.
WebHandler MetricsHandler(MetricsAccess access, const AuthorityState& state,
                          std::function<std::string()> render);

}  // namespace jejak::authority
