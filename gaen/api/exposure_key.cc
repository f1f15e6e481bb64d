// ExposureKey to and from the JSON of the publish API and the key file.
#include "gaen/api/exposure_key.h"

#include <string>

#include "platform/base/base64.h"

namespace jejak {

using nlohmann::json;

Result<std::optional<int64_t>> OptionalJsonInteger(const json& obj, const char* name, int64_t lo,
                                                   int64_t hi, const std::string& where) {
    const auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
    const auto bad = [&] {
        return Status::InvalidArgument(where + name + " must be an integer in " +
                                       std::to_string(lo) + ".." + std::to_string(hi));
    };
    int64_t v = 0;
    if (it->is_number_unsigned()) {
        const uint64_t u = it->get<uint64_t>();
        if (u > static_cast<uint64_t>(hi)) return bad();
        v = static_cast<int64_t>(u);
    } else if (it->is_number_integer()) {
        v = it->get<int64_t>();
    } else {
        return bad();
    }
    if (v < lo || v > hi) return bad();
    return std::optional<int64_t>(v);
}

json ExposureKeyJson(const ExposureKey& k) {
    return {{"key", Base64Encode(k.key.bytes())},
            {"rollingStartNumber", k.rolling_start_number},
            {"rollingPeriod", k.rolling_period},
            {"transmissionRisk", k.transmission_risk}};
}

json ExposureKeysJson(std::span<const ExposureKey> keys) {
    json array = json::array();
    for (const ExposureKey& k : keys) array.push_back(ExposureKeyJson(k));
    return array;
}

Result<ExposureKey> ParseExposureKey(const json& k, size_t index, ExposureKeyCheck check) {
    const std::string where = "temporaryExposureKeys[" + std::to_string(index) + "].";
    if (!k.is_object()) {
        return Status::InvalidArgument(where.substr(0, where.size() - 1) + " is not an object");
    }
    ExposureKey out;
    const auto key = k.find("key");
    if (key == k.end() || !key->is_string()) {
        return Status::InvalidArgument(where + "key must be a base64 string");
    }
    JEJAK_RETURN_IF_ERROR(Base64DecodeExact(key->get_ref<const std::string&>(),
                                            out.key.mutable_bytes(), where + "key"));
    const bool valid = check == ExposureKeyCheck::kValid;
    JEJAK_ASSIGN_OR_RETURN(auto start,
                           OptionalJsonInteger(k, "rollingStartNumber", 0, UINT32_MAX, where));
    JEJAK_ASSIGN_OR_RETURN(auto period, OptionalJsonInteger(k, "rollingPeriod", valid ? 1 : INT32_MIN,
                                                        valid ? 144 : INT32_MAX, where));
    JEJAK_ASSIGN_OR_RETURN(auto risk, OptionalJsonInteger(k, "transmissionRisk", valid ? 0 : INT32_MIN,
                                                      valid ? 8 : INT32_MAX, where));
    if (!start) return Status::InvalidArgument(where + "rollingStartNumber is missing");
    if (!period) return Status::InvalidArgument(where + "rollingPeriod is missing");
    if (*period < 0) return Status::InvalidArgument(where + "rollingPeriod must be 1..144");
    out.rolling_start_number = static_cast<uint32_t>(*start);
    out.rolling_period = static_cast<uint32_t>(*period);
    out.transmission_risk = static_cast<int32_t>(risk.value_or(0));
    return out;
}

}  // namespace jejak
