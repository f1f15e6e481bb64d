// The ekeyhmac canonical string and its HMAC.
#include "gaen/api/ekeyhmac.h"

#include <algorithm>
#include <vector>

#include "crypto/secret.h"
#include "platform/base/base64.h"

namespace jejak {

std::string EkeyHmacCleartext(std::span<const ExposureKey> keys, EkeyHmacForm form) {
    std::vector<std::string> segments;
    segments.reserve(keys.size());
    for (const ExposureKey& k : keys) {
        std::string s = Base64Encode(k.key.bytes()) + "." + std::to_string(k.rolling_start_number) +
                        "." + std::to_string(k.rolling_period);
        if (form == EkeyHmacForm::kFourField) s += "." + std::to_string(k.transmission_risk);
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

EkeyHmac ComputeEkeyHmac(std::span<const uint8_t> secret, std::span<const ExposureKey> keys,
                         EkeyHmacForm form) {
    std::string text = EkeyHmacCleartext(keys, form);
    EkeyHmac mac{};
    HmacSha256(secret,
               std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
               mac);
    SecureZero(text.data(), text.size());
    return mac;
}

bool EkeyHmacMatches(std::span<const uint8_t> secret, std::span<const ExposureKey> keys,
                     std::span<const uint8_t> expected) {
    if (expected.size() != kSha256Size) return false;
    const EkeyHmac four = ComputeEkeyHmac(secret, keys, EkeyHmacForm::kFourField);
    if (ConstantTimeEqual(four.data(), expected.data(), kSha256Size)) return true;
    const bool all_zero = std::all_of(keys.begin(), keys.end(),
                                      [](const ExposureKey& k) { return k.transmission_risk == 0; });
    if (!all_zero) return false;
    const EkeyHmac three = ComputeEkeyHmac(secret, keys, EkeyHmacForm::kThreeField);
    return ConstantTimeEqual(three.data(), expected.data(), kSha256Size);
}

}  // namespace jejak
