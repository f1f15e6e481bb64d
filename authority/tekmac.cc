// Canonical key text and its HMAC.
#include "authority/tekmac.h"

#include <algorithm>

#include "authority/base64.h"

namespace jejak::authority {

std::string TekMacCleartext(std::span<const UploadedKey> keys, TekMacForm form) {
    std::vector<std::string> segments;
    segments.reserve(keys.size());
    for (const UploadedKey& k : keys) {
        std::string s = EncodeBase64(k.key.bytes()) + "." + std::to_string(k.rolling_start_number) +
                        "." + std::to_string(k.rolling_period);
        if (form == TekMacForm::kFourField) s += "." + std::to_string(k.transmission_risk);
        segments.push_back(std::move(s));
    }
    std::sort(segments.begin(), segments.end());
    std::string out;
    for (std::string& s : segments) {
        if (!out.empty()) out.push_back(',');
        out += s;
        SecureZero(s.data(), s.size());
    }
    return out;
}

TekMac ComputeTekMac(std::span<const uint8_t> secret, std::span<const UploadedKey> keys,
                     TekMacForm form) {
    std::string text = TekMacCleartext(keys, form);
    TekMac mac{};
    HmacSha256(secret, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, mac);
    SecureZero(text.data(), text.size());
    return mac;
}

bool TekMacMatches(std::span<const uint8_t> secret, std::span<const UploadedKey> keys,
                   std::span<const uint8_t> expected) {
    if (expected.size() != kSha256Size) return false;
    const TekMac four = ComputeTekMac(secret, keys, TekMacForm::kFourField);
    if (ConstantTimeEqual(four.data(), expected.data(), kSha256Size)) return true;
    const bool all_zero = std::all_of(keys.begin(), keys.end(),
                                      [](const UploadedKey& k) { return k.transmission_risk == 0; });
    if (!all_zero) return false;
    const TekMac three = ComputeTekMac(secret, keys, TekMacForm::kThreeField);
    return ConstantTimeEqual(three.data(), expected.data(), kSha256Size);
}

}  // namespace jejak::authority
