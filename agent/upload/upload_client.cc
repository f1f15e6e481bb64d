// The verify -> certificate -> publish flow and its chaff twin.
#include "agent/upload/upload_client.h"

#include <algorithm>
#include <array>

#include "agent/upload/upload_json.h"
#include "gaen/keys/interval.h"
#include "platform/base/base64.h"

namespace jejak {
namespace {

constexpr size_t kHmacSecretBytes = 16;
constexpr size_t kMaxReplyBytes = 256 * 1024;
constexpr size_t kCodeDigits = 10;            // the authority's codes (short and long alike)
constexpr size_t kTokenBytes = 32;            // tokens: 43 characters of URL-safe base64
constexpr size_t kMaxDecoyCertificate = 4096;  // a longer "certificate" is not reused

// Random base64 of `bytes` random bytes, URL alphabet, for decoy tokens.
std::string RandomText(RandomSource& random, size_t bytes) {
    std::vector<uint8_t> b(bytes);
    random.Fill(b);
    std::string text = Base64Encode(b);
    for (char& c : text) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    while (!text.empty() && text.back() == '=') text.pop_back();
    return text;
}

}  // namespace

int32_t TransmissionRiskFor(const std::string& test_type) {
    if (test_type == "confirmed") return 2;
    if (test_type == "likely") return 4;
    if (test_type == "user-report") return 5;
    if (test_type == "negative") return 6;
    return 0;
}

std::unique_ptr<HttpPoster> NewUploadPoster(const UploadConfig& config) {
    return NewCurlHttpPoster(config.HttpOptions());
}

UploadClient::UploadClient(const UploadConfig& config, HttpPoster& http, RandomSource& random,
                           UploadRetry retry)
    : config_(config), http_(http), random_(random), retry_(retry) {}

Result<nlohmann::json> UploadClient::SendRetrying(const std::string& url,
                                                  const nlohmann::json& body, const char* who,
                                                  bool with_api_key) {
    int64_t backoff_ms = retry_.first_backoff_ms;
    for (int attempt = 1;; ++attempt) {
        bool unavailable = false;
        Result<nlohmann::json> reply = Send(url, body, who, with_api_key, false, &unavailable);
        if (reply.ok() || !unavailable || retry_.clock == nullptr ||
            attempt >= retry_.max_attempts) {
            return reply;
        }
        retry_.clock->SleepFor(backoff_ms * 1000);
        backoff_ms *= 2;
    }
}

// POSTs one body, padded with its own header lines to the request bucket and zeroed once
// sent (it may hold the code or keys). Returns the reply object of a 200 without an error
// code; otherwise the error as described in the header. Chaff: any reply that is a JSON
// object (else an empty one); only a transport failure is an error.
Result<nlohmann::json> UploadClient::Send(const std::string& url, const nlohmann::json& body,
                                          const char* who, bool with_api_key, bool chaff,
                                          bool* unavailable) {
    HttpPostRequest request;
    request.url = url;
    request.max_body_bytes = kMaxReplyBytes;
    if (with_api_key) request.headers.emplace_back("X-API-Key", config_.api_key);
    if (chaff) request.headers.emplace_back("X-Chaff", "1");
    std::vector<std::pair<std::string, std::string>> all = request.headers;
    all.emplace_back("Content-Type", "application/json");
    all.emplace_back("Accept", "application/json");
    request.body = PadToBucket(body, HeaderLineBytes(all), random_);
    Result<HttpResponse> response = http_.Post(request);
    SecureZero(request.body.data(), request.body.size());
    if (!response.ok()) {
        const Status& s = response.status();
        if (s.IsInvalidArgument()) return s;
        return Status::Unavailable(std::string(who) + " unreachable: " + s.message());
    }
    Result<nlohmann::json> reply = ParseReplyObject(response->body, who);
    if (chaff) return reply.ok() ? std::move(*reply) : nlohmann::json::object();
    if (response->status == 503) {
        // The server stored nothing of the request: the same one may be sent again.
        if (unavailable != nullptr) *unavailable = true;
        std::string why;
        if (reply.ok()) {
            if (std::optional<ApiError> e = FindApiError(*reply)) why = ": " + e->message;
        }
        return Status::Unavailable(std::string(who) + " is unavailable (HTTP 503" + why +
                                   "); try again later");
    }
    if (reply.ok()) {
        if (std::optional<ApiError> e = FindApiError(*reply);
            e && !(response->status == 200 && e->code == "partial_failure")) {
            const std::string why = ExplainApiError(e->code);
            return Status::FailedPrecondition(std::string(who) + " refused the request: " +
                                              (e->code.empty() ? "error" : e->code) + " (" +
                                              (why.empty() ? e->message : why) + ")");
        }
    }
    if (response->status != 200) {
        return Status::FailedPrecondition(std::string(who) + " answered HTTP " +
                                          std::to_string(response->status));
    }
    if (!reply.ok()) return reply.status();
    return reply;
}

Result<ReportOutcome> UploadClient::Report(const std::string& code, std::vector<ExposureKey> keys,
                                           const std::string& revision_token) {
    if (keys.empty()) return Status::FailedPrecondition("no keys to upload");
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json v_reply,
                           SendRetrying(config_.VerifyUrl(), VerifyRequestJson(code),
                                        "verification server", true));
    Result<VerifyReply> verified = ParseVerifyReply(v_reply);
    if (!verified.ok()) {
        return Status::Corruption("verification server: " + verified.status().message());
    }
    // From here on the code is spent: a failure needs a new code from the health authority.
    const auto spent = [](const Status& s) {
        std::string msg = s.message() + "; the code is used up, ask for a new one";
        if (s.IsUnavailable()) return Status::Unavailable(std::move(msg));
        if (s.IsCorruption()) return Status::Corruption(std::move(msg));
        return Status::FailedPrecondition(std::move(msg));
    };
    const int32_t risk = TransmissionRiskFor(verified->test_type);
    if (risk == 0) {
        return spent(Status::Corruption("verification server: unexpected test type \"" +
                                        verified->test_type + "\""));
    }
    for (ExposureKey& k : keys) k.transmission_risk = risk;

    PublishBody publish;
    publish.hmac_key.resize(kHmacSecretBytes);
    random_.Fill(publish.hmac_key);
    const EkeyHmac mac = ComputeEkeyHmac(publish.hmac_key, keys);
    Result<nlohmann::json> c_reply =
        SendRetrying(config_.CertificateUrl(), CertificateRequestJson(verified->token, mac),
                     "verification server", true);
    if (!c_reply.ok()) return spent(c_reply.status());
    Result<std::string> certificate = ParseCertificateReply(*c_reply);
    if (!certificate.ok()) {
        return spent(Status::Corruption("verification server: " + certificate.status().message()));
    }

    const std::optional<uint32_t> onset_day =
        verified->symptom_day ? verified->symptom_day : verified->test_day;
    if (onset_day) publish.symptom_onset_interval = *onset_day * kTekRollingPeriod;
    publish.keys = std::move(keys);
    publish.health_authority_id = config_.health_authority_id;
    publish.certificate = std::move(*certificate);
    publish.revision_token = revision_token;
    Result<nlohmann::json> p_reply =
        SendRetrying(config_.PublishUrl(), PublishRequestJson(publish), "key server", false);
    SecureZero(publish.hmac_key.data(), publish.hmac_key.size());
    if (!p_reply.ok()) return spent(p_reply.status());
    Result<PublishReply> published = ParsePublishReply(*p_reply);
    if (!published.ok()) return Status::Corruption("key server: " + published.status().message());

    ReportOutcome out;
    out.test_type = verified->test_type;
    out.keys_sent = publish.keys.size();
    out.inserted = published->inserted;
    out.revision_token = published->revision_token;
    out.warnings = published->warnings;
    out.partial = published->code == "partial_failure";
    return out;
}

// The decoy follows the real flow step by step, each value of a real one's length: a code of
// kCodeDigits digits, the token and certificate the server's chaff replies carry (a server
// that sends none gets values of our own authority's lengths), today's key cut at the current
// interval like the real one, the onset only when the verify reply gave a date, and a revision
// token only when this device keeps one.
Status UploadClient::Chaff(size_t key_count, EnIntervalNumber now, bool with_revision_token) {
    if (key_count < 1 || key_count > kMaxKeysInFile) {
        return Status::InvalidArgument("chaff: key count must be 1..30");
    }
    std::array<uint8_t, kCodeDigits> digits{};
    random_.Fill(digits);
    std::string code;
    for (uint8_t d : digits) code += static_cast<char>('0' + d % 10);
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json v_reply,
                           Send(config_.VerifyUrl(), VerifyRequestJson(code),
                                "verification server", true, true));
    Result<VerifyReply> verified = ParseVerifyReply(v_reply);
    const bool token_ok =
        verified.ok() && verified->token.size() >= 16 && verified->token.size() <= 256;
    const std::string token = token_ok ? verified->token : RandomText(random_, kTokenBytes);
    EkeyHmac mac{};
    random_.Fill(mac);
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json c_reply,
                           Send(config_.CertificateUrl(), CertificateRequestJson(token, mac),
                                "verification server", true, true));
    Result<std::string> certificate = ParseCertificateReply(c_reply);
    PublishBody publish;
    if (certificate.ok() && certificate->size() <= kMaxDecoyCertificate &&
        std::count(certificate->begin(), certificate->end(), '.') == 2) {
        publish.certificate = std::move(*certificate);
    } else {
        publish.certificate = RandomText(random_, 28) + "." + RandomText(random_, 230) + "." +
                              RandomText(random_, 64);
    }
    const uint32_t today_start = RollingStartOf(now);
    for (size_t i = 0; i < key_count; ++i) {
        ExposureKey k;
        random_.Fill(k.key.mutable_bytes());
        k.rolling_start_number = today_start - static_cast<uint32_t>(i) * kTekRollingPeriod;
        k.rolling_period = i == 0 ? now - today_start + 1 : kTekRollingPeriod;
        k.transmission_risk = TransmissionRiskFor("confirmed");
        publish.keys.push_back(k);
    }
    publish.health_authority_id = config_.health_authority_id;
    publish.hmac_key.resize(kHmacSecretBytes);
    random_.Fill(publish.hmac_key);
    if (verified.ok()) {
        const std::optional<uint32_t> day =
            verified->symptom_day ? verified->symptom_day : verified->test_day;
        if (day) publish.symptom_onset_interval = *day * kTekRollingPeriod;
    }
    if (with_revision_token) publish.revision_token = RandomText(random_, kTokenBytes);
    return Send(config_.PublishUrl(), PublishRequestJson(publish), "key server", false, true)
        .status();
}

}  // namespace jejak
