// JSON request parsing with nlohmann-json in non-throwing mode.
#include "authority/requests.h"

#include <nlohmann/json.hpp>

#include "platform/base/base64.h"

namespace jejak::authority {
namespace {

using Json = nlohmann::json;

Result<Json> ParseObject(std::string_view body) {
    JEJAK_RETURN_IF_ERROR(CheckRequestShape(body));
    Json j = Json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded()) return Status::InvalidArgument("request body is not valid JSON");
    if (!j.is_object()) return Status::InvalidArgument("request body is not a JSON object");
    return j;
}

// The string field `name`, or "" when absent; InvalidArgument when not a string.
Result<std::string> OptionalString(const Json& j, const char* name) {
    const auto it = j.find(name);
    if (it == j.end() || it->is_null()) return std::string();
    if (!it->is_string()) return Status::InvalidArgument(std::string(name) + " must be a string");
    return it->get<std::string>();
}

Result<std::string> RequiredString(const Json& j, const char* name) {
    JEJAK_ASSIGN_OR_RETURN(std::string s, OptionalString(j, name));
    if (s.empty()) return Status::InvalidArgument(std::string(name) + " is missing");
    return s;
}

}  // namespace

PublishRequest::~PublishRequest() { SecureZero(hmac_key.data(), hmac_key.size()); }

Status CheckRequestShape(std::string_view body) {
    if (body.size() > kMaxRequestBytes) {
        return Status::InvalidArgument("request body is larger than " +
                                       std::to_string(kMaxRequestBytes) + " bytes");
    }
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < body.size(); ++i) {
        const char c = body[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > kMaxJsonDepth) {
                return Status::InvalidArgument("request body is nested too deeply");
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return Status::Ok();
}

Result<VerifyRequest> ParseVerifyRequest(std::string_view body) {
    JEJAK_ASSIGN_OR_RETURN(Json j, ParseObject(body));
    VerifyRequest out;
    JEJAK_ASSIGN_OR_RETURN(out.code, RequiredString(j, "code"));
    const auto accept = j.find("accept");
    if (accept != j.end() && !accept->is_null()) {
        if (!accept->is_array()) return Status::InvalidArgument("accept must be an array of strings");
        for (const Json& a : *accept) {
            if (!a.is_string()) return Status::InvalidArgument("accept must be an array of strings");
            out.accept.push_back(a.get<std::string>());
        }
    }
    JEJAK_ASSIGN_OR_RETURN(std::string padding, OptionalString(j, "padding"));
    JEJAK_ASSIGN_OR_RETURN(std::string nonce, OptionalString(j, "nonce"));
    return out;
}

Result<CertificateRequest> ParseCertificateRequest(std::string_view body) {
    JEJAK_ASSIGN_OR_RETURN(Json j, ParseObject(body));
    CertificateRequest out;
    JEJAK_ASSIGN_OR_RETURN(out.token, RequiredString(j, "token"));
    JEJAK_ASSIGN_OR_RETURN(out.ekeyhmac, OptionalString(j, "ekeyhmac"));
    JEJAK_ASSIGN_OR_RETURN(std::string padding, OptionalString(j, "padding"));
    return out;
}

Result<PublishRequest> ParsePublishRequest(std::string_view body) {
    JEJAK_ASSIGN_OR_RETURN(Json j, ParseObject(body));
    PublishRequest out;
    const auto keys = j.find("temporaryExposureKeys");
    if (keys == j.end() || !keys->is_array()) {
        return Status::InvalidArgument("temporaryExposureKeys must be an array");
    }
    for (size_t i = 0; i < keys->size(); ++i) {
        JEJAK_ASSIGN_OR_RETURN(ExposureKey k, ParseExposureKey((*keys)[i], i, ExposureKeyCheck::kShape));
        out.keys.push_back(std::move(k));
    }
    JEJAK_ASSIGN_OR_RETURN(out.health_authority_id, RequiredString(j, "healthAuthorityID"));
    JEJAK_ASSIGN_OR_RETURN(out.verification_payload, RequiredString(j, "verificationPayload"));
    JEJAK_ASSIGN_OR_RETURN(std::string hmac_text, RequiredString(j, "hmacKey"));
    auto hmac = Base64Decode(hmac_text, Base64Alphabet::kStandard, "hmacKey");
    SecureZero(hmac_text.data(), hmac_text.size());
    if (!hmac.ok()) return hmac.status();
    out.hmac_key = std::move(*hmac);
    if (out.hmac_key.size() < 16 || out.hmac_key.size() > 64) {
        return Status::InvalidArgument("hmacKey must decode to 16..64 bytes");
    }
    JEJAK_ASSIGN_OR_RETURN(out.symptom_onset_interval,
                           OptionalJsonInteger(j, "symptomOnsetInterval", INT32_MIN, INT32_MAX));
    const auto traveler = j.find("traveler");
    if (traveler != j.end() && !traveler->is_null()) {
        if (!traveler->is_boolean()) return Status::InvalidArgument("traveler must be a boolean");
        out.traveler = traveler->get<bool>();
    }
    JEJAK_ASSIGN_OR_RETURN(out.revision_token, OptionalString(j, "revisionToken"));
    JEJAK_ASSIGN_OR_RETURN(std::string padding, OptionalString(j, "padding"));
    return out;
}

}  // namespace jejak::authority
