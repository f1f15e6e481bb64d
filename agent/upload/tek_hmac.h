// The verification HMAC that binds a health authority's certificate to exactly the keys a
// device uploads (`ekeyhmac` sent to /api/certificate; the certificate's `tekmac` claim that
// the key server checks; docs/PROTOCOL.md section 5). Canonical text: one segment per key,
// `base64(TEK).rollingStartNumber.rollingPeriod.transmissionRisk` (decimal), the segments
// sorted in byte order and joined with ','. The device always sends this 4-field form.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "crypto/hkdf.h"
#include "crypto/secret.h"

namespace jejak {

// One key in the publish API's shape (docs/PROTOCOL.md section 4, ExposureKey).
struct PublishKey {
    Tek key;
    uint32_t rolling_start_number = 0;
    uint32_t rolling_period = 0;
    int32_t transmission_risk = 0;
    friend bool operator==(const PublishKey&, const PublishKey&) = default;
};

using EkeyHmac = std::array<uint8_t, kSha256Size>;

// The canonical cleartext. It holds key material: callers must never log or print it.
// `four_field` false gives the 3-field form (no transmissionRisk) some servers also accept.
std::string EkeyHmacCleartext(std::span<const PublishKey> keys, bool four_field = true);

// HMAC-SHA256 of the canonical cleartext under `secret`; the cleartext is zeroed afterwards.
EkeyHmac ComputeEkeyHmac(std::span<const uint8_t> secret, std::span<const PublishKey> keys,
                         bool four_field = true);

}  // namespace jejak
