// Token buckets, the address key and the request guard.
#include "authority/rate_limit.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace jejak::authority {
namespace {

constexpr double kMicrosPerHour = 3600e6;
constexpr int64_t kWarningEveryUs = 60LL * 1000000;
constexpr int64_t kSweepEveryUs = 1000000;
constexpr char kOverflowKey[] = "(overflow)";

Status ParseBucket(const nlohmann::json& j, const char* name, BucketSpec& out) {
    const auto it = j.find(name);
    if (it == j.end()) return Status::Ok();
    const std::string where = std::string("authority.json: rate_limits.") + name;
    if (!it->is_object()) return Status::InvalidArgument(where + " must be an object");
    for (auto [field, value] : {std::pair{"burst", &out.burst}, {"per_hour", &out.per_hour}}) {
        const auto f = it->find(field);
        if (f == it->end()) continue;
        if (!f->is_number() || f->get<double>() <= 0 || !std::isfinite(f->get<double>())) {
            return Status::InvalidArgument(where + "." + field + " must be a positive number");
        }
        *value = f->get<double>();
    }
    return Status::Ok();
}

nlohmann::json BucketJson(BucketSpec s) { return {{"burst", s.burst}, {"per_hour", s.per_hour}}; }

}  // namespace

Result<RateLimitSettings> ParseRateLimits(const nlohmann::json& j) {
    RateLimitSettings s;
    if (j.is_null()) return s;
    if (!j.is_object()) return Status::InvalidArgument("authority.json: rate_limits must be an object");
    JEJAK_RETURN_IF_ERROR(ParseBucket(j, "per_address", s.per_address));
    JEJAK_RETURN_IF_ERROR(ParseBucket(j, "per_api_key", s.per_api_key));
    JEJAK_RETURN_IF_ERROR(ParseBucket(j, "failed_verifications", s.failed_verifications));
    if (const auto it = j.find("instances"); it != j.end()) {
        if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 10000) {
            return Status::InvalidArgument(
                "authority.json: rate_limits.instances must be an integer 1..10000");
        }
        s.instances = it->get<int>();
    }
    return s;
}

nlohmann::json RateLimitsToJson(const RateLimitSettings& s) {
    return {{"per_address", BucketJson(s.per_address)},
            {"per_api_key", BucketJson(s.per_api_key)},
            {"failed_verifications", BucketJson(s.failed_verifications)},
            {"instances", s.instances}};
}

TokenBucket::TokenBucket(BucketSpec spec, int64_t now_us) : tokens_(spec.burst), last_us_(now_us) {}

double TokenBucket::Level(BucketSpec spec, int64_t now_us) const {
    if (now_us <= last_us_) return tokens_;  // a clock that steps back refills nothing
    const double elapsed = static_cast<double>(now_us - last_us_);
    return std::min(spec.burst, tokens_ + elapsed * spec.per_hour / kMicrosPerHour);
}

bool TokenBucket::Take(BucketSpec spec, int64_t now_us) {
    tokens_ = Level(spec, now_us);
    last_us_ = std::max(last_us_, now_us);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

std::string AddressBucketKey(std::string_view peer) {
    const std::string text(peer);
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return text;
    const uint8_t* b = v6.s6_addr;
    const bool mapped = std::all_of(b, b + 10, [](uint8_t x) { return x == 0; }) &&
                        b[10] == 0xff && b[11] == 0xff;
    char out[64];
    if (mapped) {
        std::snprintf(out, sizeof out, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
    } else {
        std::snprintf(out, sizeof out, "%x:%x:%x:%x::/64", (b[0] << 8) | b[1], (b[2] << 8) | b[3],
                      (b[4] << 8) | b[5], (b[6] << 8) | b[7]);
    }
    return out;
}

RequestGuard::RequestGuard(RateLimitSettings settings, const Clock& clock,
                           AuthorityCounters& counters, LogSink log)
    : settings_(settings), clock_(clock), counters_(counters), log_(std::move(log)) {
    failed_ = TokenBucket(PerInstance(settings_.failed_verifications), Now());
}

BucketSpec RequestGuard::PerInstance(BucketSpec spec) const {
    const double n = std::max(1, settings_.instances);
    return {std::max(1.0, std::floor(spec.burst / n)), spec.per_hour / n};
}

bool RequestGuard::TakeKeyed(std::unordered_map<std::string, TokenBucket>& buckets,
                             const std::string& key, BucketSpec spec, int64_t now) {
    auto it = buckets.find(key);
    if (it == buckets.end()) {
        if (buckets.size() >= settings_.max_tracked_addresses &&
            (last_sweep_us_ == INT64_MIN || now - last_sweep_us_ >= kSweepEveryUs)) {
            // A refilled bucket is the same as none: forget those. At most once a second, so
            // a spray of fresh addresses cannot make every request walk the whole table.
            last_sweep_us_ = now;
            std::erase_if(buckets,
                          [&](const auto& entry) { return entry.second.Full(spec, now); });
        }
        const std::string& name =
            buckets.size() >= settings_.max_tracked_addresses ? kOverflowKey : key;
        it = buckets.try_emplace(name, spec, now).first;
    }
    return it->second.Take(spec, now);
}

bool RequestGuard::Admit(Endpoint endpoint, std::string_view peer,
                         std::optional<std::string_view> api_key_id) {
    const std::string prefix = endpoint == Endpoint::kVerify ? "verify " : "certificate ";
    const int64_t now = Now();
    bool ok = false;
    {
        std::lock_guard lock(mu_);
        ok = TakeKeyed(by_address_, prefix + AddressBucketKey(peer),
                       PerInstance(settings_.per_address), now);
        if (ok && api_key_id) {
            ok = TakeKeyed(by_key_, prefix + std::string(*api_key_id),
                           PerInstance(settings_.per_api_key), now);
        }
    }
    if (!ok) {
        (endpoint == Endpoint::kVerify ? counters_.rate_limited_verify
                                       : counters_.rate_limited_certificate)++;
    }
    return ok;
}

bool RequestGuard::VerificationBudgetLeft() {
    bool left = false;
    {
        std::lock_guard lock(mu_);
        left = failed_.Level(PerInstance(settings_.failed_verifications), Now()) >= 1;
    }
    if (!left) counters_.failed_budget_refusals++;
    return left;
}

void RequestGuard::RecordFailedVerification() {
    counters_.failed_verifications++;
    const BucketSpec spec = PerInstance(settings_.failed_verifications);
    const int64_t now = Now();
    bool warn = false;
    {
        std::lock_guard lock(mu_);
        const bool had = failed_.Take(spec, now);
        if (failed_.Level(spec, now) < 1) {
            if (had) counters_.failed_budget_exhausted++;  // it ran dry just now
            warn = last_warning_us_ == INT64_MIN || now - last_warning_us_ >= kWarningEveryUs;
            if (warn) last_warning_us_ = now;
        }
    }
    if (warn && log_) {
        char line[256];
        std::snprintf(line, sizeof line,
                      "warning: failed-verification budget spent (%.0f in a burst, %.0f an hour "
                      "on this instance; %llu failed so far): /api/verify answers 429 until it "
                      "refills; someone may be guessing codes",
                      spec.burst, spec.per_hour,
                      static_cast<unsigned long long>(counters_.failed_verifications.load()));
        log_(line);
    }
}

}  // namespace jejak::authority
