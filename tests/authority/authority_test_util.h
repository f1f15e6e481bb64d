// Shared set-up for the authority suites: a scratch state directory with an initialised
// authority, a manual clock, and (optionally) the real HTTP server on 127.0.0.1 with an
// ephemeral port, plus helpers that walk a device through verify -> certificate -> publish.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <fstream>
#include <utility>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "authority/authority_state.h"
#include "platform/base/base64.h"
#include "authority/http/http_server.h"
#include "authority/jwt.h"
#include "authority/store/postgres_authority_store.h"
#include "authority/service.h"
#include "gaen/api/ekeyhmac.h"
#include "crypto/random.h"
#include "platform/base/clock.h"
#include "tests/support/scratch_dir.h"

namespace jejak::testing {

// The database of a backend-parameterised case: "" (authority.db, SQLite) or, for
// PostgreSQL, the throwaway cluster's URI (scripts/pg-cluster sets JEJAK_TEST_PG_URI) with
// the authority's tables dropped; nullopt, with a message, when that variable is unset.
inline std::optional<std::string> TestDatabase(bool postgres) {
    if (!postgres) return std::string();
    const char* uri = std::getenv("JEJAK_TEST_PG_URI");
    if (uri == nullptr) {
        MESSAGE("not run: JEJAK_TEST_PG_URI is unset (scripts/pg-cluster run -- ... sets it)");
        return std::nullopt;
    }
    REQUIRE(authority::DropPostgresAuthoritySchema(uri).ok());
    return std::string(uri);
}

// Registers `fn(database)` once per backend; the PostgreSQL one in test suite "postgresql",
// which CTest runs under scripts/pg-cluster (jejak_authority_pg_tests).
#define AUTHORITY_BACKEND_CASE(name, fn)                                                 \
    TEST_CASE(name " [sqlite]") { fn(std::string()); }                                   \
    TEST_CASE(name " [postgresql]" * doctest::test_suite("postgresql")) {                \
        if (auto database = ::jejak::testing::TestDatabase(true)) fn(*database);         \
    }

// 2027-01-15 08:00:00 UTC: a fixed "now" for every test.
inline constexpr int64_t kTestNow = 1800000000;

inline uint32_t IntervalOf(int64_t unix_s) { return static_cast<uint32_t>(unix_s / 600); }
inline uint32_t DayStartInterval(int64_t unix_s) {
    return static_cast<uint32_t>((unix_s - unix_s % 86400) / 600);
}

// `count` keys, one per past UTC day (yesterday, the day before, ...), full 144 periods.
inline std::vector<ExposureKey> PastKeys(size_t count, RandomSource& random,
                                                    int64_t now = kTestNow) {
    std::vector<ExposureKey> keys(count);
    for (size_t i = 0; i < count; ++i) {
        random.Fill(keys[i].key.mutable_bytes());
        keys[i].rolling_start_number = DayStartInterval(now) - 144 * static_cast<uint32_t>(i + 1);
        keys[i].rolling_period = 144;
        keys[i].transmission_risk = 0;
    }
    return keys;
}

inline nlohmann::json KeysJson(const std::vector<ExposureKey>& keys) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& k : keys) {
        out.push_back({{"key", Base64Encode(k.key.bytes())},
                       {"rollingStartNumber", k.rolling_start_number},
                       {"rollingPeriod", k.rolling_period},
                       {"transmissionRisk", k.transmission_risk}});
    }
    return out;
}

struct HttpResult {
    int status = 0;
    nlohmann::json body;
};

// Rate limits no functional test reaches (many requests from 127.0.0.1); the guessing
// tests set their own.
inline nlohmann::json UnreachedRateLimits() {
    const nlohmann::json wide = {{"burst", 1e6}, {"per_hour", 1e9}};
    return {{"per_address", wide}, {"per_api_key", wide}, {"failed_verifications", wide}};
}

// Replaces authority.json's "rate_limits" (before the state is opened).
inline void SetRateLimits(const std::string& dir, const nlohmann::json& limits) {
    const std::string path = dir + "/authority.json";
    nlohmann::json settings = nlohmann::json::parse(std::ifstream(path));
    settings["rate_limits"] = limits;
    std::ofstream(path, std::ios::trunc) << settings.dump(2);
}

// An initialised authority with its service and (after StartServer) its HTTP server.
class TestAuthority {
public:
    // `database`: "" (authority.db in the state directory) or a postgresql:// URI.
    // `rate_limits`: authority.json's "rate_limits" (rate_limit.h).
    explicit TestAuthority(const std::string& database = "",
                           const nlohmann::json& rate_limits = UnreachedRateLimits())
        : clock_(kTestNow * 1000000) {
        REQUIRE(SystemRandom::Init().ok());
        auto report = authority::AuthorityState::Init(dir_.str(), "ZZ", random_, database);
        REQUIRE_MESSAGE(report.ok(), report.status().ToString());
        api_key_ = report->api_key;
        SetRateLimits(dir_.str(), rate_limits);
        auto state = authority::AuthorityState::Open(dir_.str(), authority::ExportKey::kLoad);
        REQUIRE(state.ok());
        state_ = std::move(*state);
        auto store = state_->OpenStore();
        REQUIRE(store.ok());
        store_ = std::move(*store);
        service_ = std::make_unique<authority::AuthorityService>(
            *state_, *store_, clock_, random_, [this](const std::string& line) {
                std::lock_guard lock(log_mu_);
                log_.push_back(line);
            });
    }
    // Lines the service logged.
    std::vector<std::string> log() {
        std::lock_guard lock(log_mu_);
        return log_;
    }
    ~TestAuthority() { StopServer(); }

    // `adjust` may change the default options (limits, request log) before binding.
    void StartServer(const std::function<void(authority::ServeOptions&)>& adjust = {}) {
        server_ = std::make_unique<authority::AuthorityHttpServer>(*service_, state_->exports_dir());
        authority::ServeOptions options;
        options.threads = 4;
        if (adjust) adjust(options);
        REQUIRE(server_->Bind(options).ok());
        thread_ = std::thread([this] { (void)server_->Run(); });
        client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
        client_->set_keep_alive(true);
    }
    void StopServer() {
        if (!server_) return;
        client_.reset();  // close the keep-alive connection, or the server waits it out
        server_->Stop();
        thread_.join();
        server_.reset();
    }

    HttpResult Post(const std::string& path, const std::string& body,
                    httplib::Headers headers = {}) {
        auto res = client_->Post(path, headers, body, "application/json");
        REQUIRE(res);
        HttpResult out;
        out.status = res->status;
        out.body = nlohmann::json::parse(res->body, nullptr, false);
        return out;
    }
    std::pair<int, std::string> Get(const std::string& path) {
        auto res = client_->Get(path);
        REQUIRE(res);
        return {res->status, res->body};
    }
    HttpResult PostJson(const std::string& path, const nlohmann::json& body, bool with_key = true,
                        bool chaff = false) {
        httplib::Headers headers;
        if (with_key) headers.emplace("X-API-Key", api_key_);
        if (chaff) headers.emplace("X-Chaff", "1");
        return Post(path, body.dump(), headers);
    }

    std::string IssueCode(const std::string& type = "confirmed", int64_t ttl_s = 3600) {
        auto issued = service_->IssueCode(type, "", "", ttl_s);
        REQUIRE(issued.ok());
        return issued->code;
    }
    // code -> token through POST /api/verify.
    std::string VerifyCode(const std::string& code) {
        HttpResult r = PostJson("/api/verify", {{"code", code}, {"accept", {"confirmed", "likely", "negative"}}});
        REQUIRE(r.status == 200);
        return r.body["token"].get<std::string>();
    }
    // token + keys -> certificate through POST /api/certificate.
    std::string Certify(const std::string& token, const std::vector<ExposureKey>& keys,
                        std::span<const uint8_t> secret) {
        const EkeyHmac mac = ComputeEkeyHmac(secret, keys);
        HttpResult r = PostJson("/api/certificate",
                                {{"token", token}, {"ekeyhmac", Base64Encode(mac)}});
        REQUIRE(r.status == 200);
        return r.body["certificate"].get<std::string>();
    }
    nlohmann::json PublishBody(const std::vector<ExposureKey>& keys,
                               const std::string& certificate, std::span<const uint8_t> secret) {
        return {{"temporaryExposureKeys", KeysJson(keys)},
                {"healthAuthorityID", state_->settings().health_authority_id},
                {"verificationPayload", certificate},
                {"hmacKey", Base64Encode(secret)},
                {"padding", Base64Encode(std::vector<uint8_t>(1024, 7))}};
    }
    // The whole device flow for `keys`; returns the publish reply.
    HttpResult ReportKeys(const std::vector<ExposureKey>& keys,
                          const std::string& type = "confirmed") {
        const std::vector<uint8_t> secret(16, 0x42);
        const std::string cert = Certify(VerifyCode(IssueCode(type)), keys, secret);
        return PostJson("/v1/publish", PublishBody(keys, cert, secret), false);
    }

    int64_t Exposures() {
        auto n = store_->CountExposures();
        REQUIRE(n.ok());
        return *n;
    }

    ManualClock& clock() { return clock_; }
    int port() const { return server_->port(); }
    RandomSource& random() { return random_; }
    authority::AuthorityState& state() { return *state_; }
    authority::AuthorityStore& store() { return *store_; }
    authority::AuthorityService& service() { return *service_; }
    const std::string& api_key() const { return api_key_; }
    const std::string& dir() const { return dir_.str(); }

private:
    ScratchDir dir_;
    ManualClock clock_;
    SystemRandom random_;
    std::string api_key_;
    std::unique_ptr<authority::AuthorityState> state_;
    std::unique_ptr<authority::AuthorityStore> store_;
    std::unique_ptr<authority::AuthorityService> service_;
    std::unique_ptr<authority::AuthorityHttpServer> server_;
    std::thread thread_;
    std::unique_ptr<httplib::Client> client_;
    std::mutex log_mu_;
    std::vector<std::string> log_;
};

}  // namespace jejak::testing
