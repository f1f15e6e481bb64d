// The verification HMAC that binds a health authority's certificate to exactly the keys a
// device uploads (`ekeyhmac` sent to /api/certificate; the certificate's `tekmac` claim that
// the key server checks at /v1/publish; docs/PROTOCOL.md section 5). Canonical text: one
// segment per key, `base64(TEK).rollingStartNumber.rollingPeriod.transmissionRisk`
// (decimal), the segments sorted in byte order and joined with ','; HMAC-SHA256 under the
// device's secret. The device always sends the 4-field form; a server also accepts the
// 3-field form (no transmissionRisk) when every key's transmissionRisk is 0.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "crypto/hmac.h"
#include "gaen/api/exposure_key.h"

namespace jejak {

using EkeyHmac = std::array<uint8_t, kSha256Size>;

enum class EkeyHmacForm { kFourField, kThreeField };

// The canonical cleartext. It holds key material: callers must never log or print it.
std::string EkeyHmacCleartext(std::span<const ExposureKey> keys,
                              EkeyHmacForm form = EkeyHmacForm::kFourField);

// HMAC-SHA256 of the canonical cleartext under `secret`; the cleartext is zeroed afterwards.
EkeyHmac ComputeEkeyHmac(std::span<const uint8_t> secret, std::span<const ExposureKey> keys,
                         EkeyHmacForm form = EkeyHmacForm::kFourField);

// True when `expected` equals the 4-field HMAC, or the 3-field HMAC when every
// transmissionRisk is 0. Constant-time comparisons.
bool EkeyHmacMatches(std::span<const uint8_t> secret, std::span<const ExposureKey> keys,
                     std::span<const uint8_t> expected);

}  // namespace jejak
