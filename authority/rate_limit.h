// Guessing made pointless: token buckets in front of /api/verify and /api/certificate, per
// source address and per API key, and a global budget of failed verifications. Independent of
// the HTTP library: the service layer calls it with the peer address and the API key it was
// given, and time comes only from the injected Clock (tests never wait on wall time).
//
// Why these three limits (numbers and their consequences: docs/authority-deployment.md):
//   - per source address: one machine guessing is slowed to the rate of a busy household;
//     IPv6 addresses count per /64, so one host cannot spray fresh addresses;
//   - per API key: the key is fleet-wide (it sits in every device's configuration), so this
//     bounds the national rate and is sized above the real peak, not against guessers;
//   - failed verifications, all callers together: what bounds a guesser who has many
//     addresses. When it is spent /api/verify answers 429 until it refills (codes stay valid;
//     devices retry later), a warning goes to the log and a counter records it.
// Several instances on one PostgreSQL database: every limit is divided by `instances`, so
// behind a load balancer the sum over all instances is the configured figure (per-instance
// arithmetic; see the deployment note for why no state is kept in the database).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "authority/counters.h"
#include "platform/base/clock.h"
#include "platform/base/status.h"

namespace jejak::authority {

// A bucket holding up to `burst` tokens, refilled at `per_hour` tokens an hour.
struct BucketSpec {
    double burst = 1;
    double per_hour = 60;
};

struct RateLimitSettings {
    // Each of /api/verify and /api/certificate, per source address (IPv6: per /64).
    BucketSpec per_address{20, 120};
    // Each of the two, per API key: above the national peak (50 reports/s, see the note).
    BucketSpec per_api_key{3000, 360000};
    // Failed verifications (no such code, used, expired) over all callers.
    BucketSpec failed_verifications{300, 1200};
    // Instances sharing the load: each enforces 1/instances of every figure.
    int instances = 1;
    // Most addresses tracked at once; beyond it, new addresses share one overflow bucket.
    size_t max_tracked_addresses = 100000;
};

// Reads the optional "rate_limits" object of authority.json (absent fields keep their
// defaults). InvalidArgument naming the field for a wrong type or a non-positive figure.
Result<RateLimitSettings> ParseRateLimits(const nlohmann::json& j);
nlohmann::json RateLimitsToJson(const RateLimitSettings& s);

// A token bucket: pure arithmetic on times handed in (microseconds on any monotonic scale).
class TokenBucket {
public:
    TokenBucket() = default;
    TokenBucket(BucketSpec spec, int64_t now_us);
    // Takes one token if there is one.
    bool Take(BucketSpec spec, int64_t now_us);
    // Tokens at `now_us` (for "is the budget spent?" without taking one).
    double Level(BucketSpec spec, int64_t now_us) const;
    // True once it has refilled to its burst: such a bucket can be forgotten.
    bool Full(BucketSpec spec, int64_t now_us) const { return Level(spec, now_us) >= spec.burst; }

private:
    double tokens_ = 0;
    int64_t last_us_ = 0;
};

// "a.b.c.d" as is; an IPv6 address as its /64 ("2001:db8:1:2::/64"); IPv4-mapped IPv6 as
// IPv4. Anything else is returned unchanged (it only names a bucket).
std::string AddressBucketKey(std::string_view peer);

enum class Endpoint { kVerify, kCertificate };

// Thread-safe. Log lines go to `log` (may be empty); they never hold codes or keys.
class RequestGuard {
public:
    using LogSink = std::function<void(const std::string& line)>;
    RequestGuard(RateLimitSettings settings, const Clock& clock, AuthorityCounters& counters,
                 LogSink log);

    // A request's admission: takes a token from its address's bucket and, when `api_key_id`
    // is set (a valid key, named by a stable non-secret id), from that key's. False: answer
    // 429 (counted).
    bool Admit(Endpoint endpoint, std::string_view peer, std::optional<std::string_view> api_key_id);
    // False while the global budget of failed verifications is spent (counted: answer 429).
    bool VerificationBudgetLeft();
    // One failed verification: counted, taken from the budget; the first time the budget runs
    // dry (and then at most once a minute) a warning line goes to the log.
    void RecordFailedVerification();

    const RateLimitSettings& settings() const { return settings_; }

private:
    BucketSpec PerInstance(BucketSpec spec) const;
    bool TakeKeyed(std::unordered_map<std::string, TokenBucket>& buckets, const std::string& key,
                   BucketSpec spec, int64_t now);
    int64_t Now() const { return clock_.MonotonicMicros(); }

    const RateLimitSettings settings_;
    const Clock& clock_;
    AuthorityCounters& counters_;
    LogSink log_;
    std::mutex mu_;
    std::unordered_map<std::string, TokenBucket> by_address_;
    std::unordered_map<std::string, TokenBucket> by_key_;
    TokenBucket failed_;
    int64_t last_warning_us_ = INT64_MIN;
    int64_t last_sweep_us_ = INT64_MIN;  // forgetting refilled buckets: at most once a second
};

}  // namespace jejak::authority
