// The verification HMAC that binds a certificate to the exact keys a device uploads
// (`ekeyhmac` sent to /api/certificate, `tekmac` claim checked at /v1/publish; docs/PROTOCOL.md
// section 5). Canonical text: per key `base64(TEK).rollingStartNumber.rollingPeriod.
// transmissionRisk`, segments sorted by byte order and joined with ','; HMAC-SHA256 under
// the device's secret. The 3-field form (no transmissionRisk) is accepted only when every
// key's transmissionRisk is 0.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/hkdf.h"
#include "crypto/secret.h"

namespace jejak::authority {

// One key as uploaded: the TEK and the three integers the HMAC covers.
struct UploadedKey {
    Tek key;
    uint32_t rolling_start_number = 0;
    uint32_t rolling_period = 0;
    int32_t transmission_risk = 0;
};

using TekMac = std::array<uint8_t, kSha256Size>;

enum class TekMacForm { kFourField, kThreeField };

// The canonical cleartext (holds key material in base64: the caller must not log it).
std::string TekMacCleartext(std::span<const UploadedKey> keys, TekMacForm form);

TekMac ComputeTekMac(std::span<const uint8_t> secret, std::span<const UploadedKey> keys,
                     TekMacForm form = TekMacForm::kFourField);

// True when `expected` equals the 4-field HMAC, or the 3-field HMAC when every
// transmissionRisk is 0. Constant-time comparisons.
bool TekMacMatches(std::span<const uint8_t> secret, std::span<const UploadedKey> keys,
                   std::span<const uint8_t> expected);

}  // namespace jejak::authority
