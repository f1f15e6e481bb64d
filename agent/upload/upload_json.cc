// Request bodies, reply parsing, dates and the offline key file.
#include "agent/upload/upload_json.h"

#include <array>
#include <ctime>

#include "platform/base/base64.h"
#include "platform/base/civil_date.h"

namespace jejak {
namespace {

using nlohmann::json;

Result<std::string> StringField(const json& reply, const char* name, bool required) {
    auto it = reply.find(name);
    if (it == reply.end() || it->is_null()) {
        if (required) return Status::Corruption(std::string("reply lacks \"") + name + "\"");
        return std::string();
    }
    if (!it->is_string()) {
        return Status::Corruption(std::string("reply field \"") + name + "\" is not a string");
    }
    return it->get<std::string>();
}

Result<std::optional<uint32_t>> DateField(const json& reply, const char* name) {
    JEJAK_ASSIGN_OR_RETURN(std::string text, StringField(reply, name, false));
    if (text.empty()) return std::optional<uint32_t>();
    std::optional<uint32_t> day = ParseUtcDay(text);
    if (!day) return Status::Corruption(std::string("reply field \"") + name + "\" is not a date");
    return day;
}

}  // namespace

size_t HeaderLineBytes(std::span<const std::pair<std::string, std::string>> headers) {
    size_t n = 0;
    for (const auto& [name, value] : headers) n += name.size() + 2 + value.size() + 2;
    return n;
}

std::string PadToBucket(json body, size_t header_bytes, RandomSource& random) {
    body["padding"] = "";
    const size_t bare = header_bytes + body.dump().size();
    const size_t total =
        (bare + kMinPaddingChars + kRequestBucketBytes - 1) / kRequestBucketBytes *
        kRequestBucketBytes;
    const size_t chars = total - bare;
    std::vector<uint8_t> bytes(chars / 4 * 3 + 3);
    random.Fill(bytes);
    std::string text = Base64Encode(bytes);
    text.resize(chars);  // base64 characters, cut to the exact length
    body["padding"] = std::move(text);
    return body.dump();
}

json VerifyRequestJson(std::string_view code) {
    return {{"code", std::string(code)}, {"accept", kAcceptedTestTypes}};
}

json CertificateRequestJson(std::string_view token, const EkeyHmac& ekeyhmac) {
    return {{"token", std::string(token)}, {"ekeyhmac", Base64Encode(ekeyhmac)}};
}

json PublishRequestJson(const PublishBody& b) {
    json body = {{"temporaryExposureKeys", ExposureKeysJson(b.keys)},
                 {"healthAuthorityID", b.health_authority_id},
                 {"verificationPayload", b.certificate},
                 {"hmacKey", Base64Encode(b.hmac_key)},
                 {"traveler", false},
                 {"revisionToken", b.revision_token}};
    if (b.symptom_onset_interval) body["symptomOnsetInterval"] = *b.symptom_onset_interval;
    return body;
}

Result<json> ParseReplyObject(std::span<const uint8_t> body, std::string_view who) {
    json reply = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (reply.is_discarded() || !reply.is_object()) {
        return Status::Corruption(std::string(who) +
                                  " answered with something other than a "
                                  "JSON object");
    }
    return reply;
}

std::optional<ApiError> FindApiError(const json& reply) {
    ApiError e;
    for (const char* name : {"errorCode", "code"}) {
        auto it = reply.find(name);
        if (it != reply.end() && it->is_string() && !it->get<std::string>().empty()) {
            e.code = it->get<std::string>();
            break;
        }
    }
    if (auto it = reply.find("error"); it != reply.end() && it->is_string()) {
        e.message = it->get<std::string>();
    }
    if (e.code.empty() && e.message.empty()) return std::nullopt;
    return e;
}

Result<VerifyReply> ParseVerifyReply(const json& reply) {
    VerifyReply v;
    JEJAK_ASSIGN_OR_RETURN(v.token, StringField(reply, "token", true));
    JEJAK_ASSIGN_OR_RETURN(v.test_type, StringField(reply, "testtype", true));
    if (v.token.empty()) return Status::Corruption("reply has an empty \"token\"");
    JEJAK_ASSIGN_OR_RETURN(v.symptom_day, DateField(reply, "symptomDate"));
    JEJAK_ASSIGN_OR_RETURN(v.test_day, DateField(reply, "testDate"));
    return v;
}

Result<std::string> ParseCertificateReply(const json& reply) {
    JEJAK_ASSIGN_OR_RETURN(std::string cert, StringField(reply, "certificate", true));
    if (cert.empty()) return Status::Corruption("reply has an empty \"certificate\"");
    return cert;
}

Result<PublishReply> ParsePublishReply(const json& reply) {
    PublishReply p;
    JEJAK_ASSIGN_OR_RETURN(p.revision_token, StringField(reply, "revisionToken", false));
    JEJAK_ASSIGN_OR_RETURN(p.code, StringField(reply, "code", false));
    if (auto it = reply.find("insertedExposures"); it != reply.end()) {
        if (!it->is_number_integer()) {
            return Status::Corruption("reply field \"insertedExposures\" is not an integer");
        }
        p.inserted = it->get<int64_t>();
    }
    if (auto it = reply.find("warnings"); it != reply.end() && it->is_array()) {
        for (const json& w : *it) {
            if (w.is_string()) p.warnings.push_back(w.get<std::string>());
        }
    }
    return p;
}

std::string FormatUtcDay(uint32_t day) { return IsoUtcDate(int64_t{day} * 86400); }

std::optional<uint32_t> ParseUtcDay(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int fields[3] = {0, 0, 0};
    const size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
    for (int f = 0; f < 3; ++f) {
        for (size_t i = starts[f]; i < starts[f] + lens[f]; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            fields[f] = fields[f] * 10 + (text[i] - '0');
        }
    }
    tm parts{};
    parts.tm_year = fields[0] - 1900;
    parts.tm_mon = fields[1] - 1;
    parts.tm_mday = fields[2];
    const time_t t = timegm(&parts);
    if (t < 0 || parts.tm_mday != fields[2] || parts.tm_mon != fields[1] - 1) return std::nullopt;
    return static_cast<uint32_t>(t / 86400);
}

std::string KeyFileText(std::span<const ExposureKey> keys) {
    return json{{"temporaryExposureKeys", ExposureKeysJson(keys)}}.dump(2) + "\n";
}

Result<std::vector<ExposureKey>> ParseKeyFile(std::string_view text) {
    json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
        return Status::InvalidArgument("key file: not a JSON object");
    }
    auto it = doc.find("temporaryExposureKeys");
    if (it == doc.end() || !it->is_array()) {
        return Status::InvalidArgument("key file: \"temporaryExposureKeys\" must be an array");
    }
    if (it->empty() || it->size() > kMaxKeysInFile) {
        return Status::InvalidArgument("key file: expected 1.." + std::to_string(kMaxKeysInFile) +
                                       " keys");
    }
    std::vector<ExposureKey> keys;
    for (size_t i = 0; i < it->size(); ++i) {
        JEJAK_ASSIGN_OR_RETURN(ExposureKey k, ParseExposureKey((*it)[i], i, ExposureKeyCheck::kValid));
        keys.push_back(std::move(k));
    }
    return keys;
}

}  // namespace jejak
