// Rendering the authority's metrics and guarding who reads them.
#include "authority/metrics/authority_metrics.h"

#include "authority/http/http_rules.h"

namespace jejak::authority {

void RequestMetrics::Observe(const std::string& route, int status, double seconds) {
    std::lock_guard lock(mu_);
    ++requests_[{route, status}];
    Latency& l = latency_[route];
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) {
            ++l.buckets[i];
            break;
        }
    }
    ++l.count;
    l.sum += seconds;
}

void RequestMetrics::Write(PrometheusWriter& out) const {
    std::lock_guard lock(mu_);
    out.Family("jejak_authority_http_requests_total", "counter",
               "Finished HTTP requests by route and status (0: closed before a reply).");
    for (const auto& [key, n] : requests_) {
        out.Sample("jejak_authority_http_requests_total",
                   {{"route", key.first}, {"status", std::to_string(key.second)}},
                   static_cast<double>(n));
    }
    const std::string h = "jejak_authority_http_request_duration_seconds";
    out.Family(h, "histogram", "Time from a request's headers to its reply, by route.");
    for (const auto& [route, l] : latency_) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < kBuckets.size(); ++i) {
            cumulative += l.buckets[i];
            char le[32];
            std::snprintf(le, sizeof le, "%g", kBuckets[i]);
            out.Sample(h + "_bucket", {{"route", route}, {"le", le}},
                       static_cast<double>(cumulative));
        }
        out.Sample(h + "_bucket", {{"route", route}, {"le", "+Inf"}}, static_cast<double>(l.count));
        out.Sample(h + "_sum", {{"route", route}}, l.sum);
        out.Sample(h + "_count", {{"route", route}}, static_cast<double>(l.count));
    }
}

void WriteServiceCounters(const AuthorityCounters& c, PrometheusWriter& out) {
    const auto one = [&](const char* name, const char* help, uint64_t v) {
        out.Family(name, "counter", help);
        out.Sample(name, {}, static_cast<double>(v));
    };
    one("jejak_authority_codes_issued_total", "Verification codes issued.", c.codes_issued);
    one("jejak_authority_codes_claimed_total", "Codes redeemed by /api/verify.", c.codes_claimed);
    one("jejak_authority_codes_expired_total", "Codes presented after expiry or revocation.",
        c.codes_expired);
    one("jejak_authority_verifications_failed_total",
        "Refused guesses: codes that were unknown, used or expired.", c.failed_verifications);
    out.Family("jejak_authority_rate_limited_total", "counter",
               "Requests answered 429, by bucket.");
    out.Sample("jejak_authority_rate_limited_total", {{"endpoint", "verify"}},
               static_cast<double>(c.rate_limited_verify.load()));
    out.Sample("jejak_authority_rate_limited_total", {{"endpoint", "certificate"}},
               static_cast<double>(c.rate_limited_certificate.load()));
    out.Sample("jejak_authority_rate_limited_total", {{"endpoint", "failed_budget"}},
               static_cast<double>(c.failed_budget_refusals.load()));
    one("jejak_authority_keys_published_total", "Diagnosis keys written by /v1/publish.",
        c.keys_published);
    one("jejak_authority_database_errors_total", "Store calls that failed.", c.database_errors);
    one("jejak_authority_chaff_requests_total", "Decoy requests answered.", c.chaff_requests);
}

void WriteExportFigures(const ExportFigures& f, PrometheusWriter& out) {
    const auto gauge = [&](const char* name, const char* help, const std::optional<int64_t>& v) {
        if (!v) return;
        out.Family(name, "gauge", help);
        out.Sample(name, {}, static_cast<double>(*v));
    };
    gauge("jejak_authority_export_batches", "Completed export batches.", f.batches);
    gauge("jejak_authority_newest_export_age_seconds",
          "Seconds since index.txt was last written.", f.newest_age_s);
    gauge("jejak_authority_stored_keys", "Diagnosis keys in the database.", f.stored_keys);
}

Result<MetricsAccess> ParseMetricsAccess(const std::string& text) {
    if (text == "loopback") return MetricsAccess::kLoopback;
    if (text == "api-key") return MetricsAccess::kApiKey;
    return Status::InvalidArgument("--metrics: expected loopback or api-key, got '" + text + "'");
}

WebHandler MetricsHandler(MetricsAccess access, const AuthorityState& state,
                          std::function<std::string()> render) {
    return [access, &state, render = std::move(render)](const WebRequest& r) {
        bool allowed = false;
        if (access == MetricsAccess::kLoopback) {
            allowed = IsLoopbackHost(r.peer) || r.peer.rfind("::ffff:127.", 0) == 0;
        } else {
            const std::string bearer = "Bearer ";
            const std::string key = r.authorization.rfind(bearer, 0) == 0
                                        ? r.authorization.substr(bearer.size())
                                        : r.api_key;
            allowed = !key.empty() && state.ApiKeyMatches(key);
        }
        WebReply reply;
        reply.headers = {{"Cache-Control", "no-store"}};
        if (!allowed) {
            reply.status = 403;
            reply.content_type = "text/plain; charset=utf-8";
            reply.body = "forbidden\n";
            return reply;
        }
        reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
        reply.body = render();
        return reply;
    };
}

}  // namespace jejak::authority
