// The ekeyhmac canonical string and its HMAC.
#include "agent/upload/tek_hmac.h"

#include <algorithm>
#include <vector>

#include "platform/base/base64.h"

namespace jejak {

std::string EkeyHmacCleartext(std::span<const PublishKey> keys, bool four_field) {
    std::vector<std::string> segments;
    segments.reserve(keys.size());
    for (const PublishKey& k : keys) {
        std::string s = Base64Encode(k.key.bytes()) + "." + std::to_string(k.rolling_start_number) +
                        "." + std::to_string(k.rolling_period);
        if (four_field) s += "." + std::to_string(k.transmission_risk);
        segments.push_back(std::move(s));
    }
    std::sort(segments.begin(), segments.end());
    std::string text;
    for (std::string& s : segments) {
        if (!text.empty()) text += ',';
        text += s;
        SecureZero(s.data(), s.size());
    }
    return text;
}

EkeyHmac ComputeEkeyHmac(std::span<const uint8_t> secret, std::span<const PublishKey> keys,
                         bool four_field) {
    std::string text = EkeyHmacCleartext(keys, four_field);
    EkeyHmac mac{};
    HmacSha256(secret,
               std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
               mac);
    SecureZero(text.data(), text.size());
    return mac;
}

}  // namespace jejak
