// The GAEN v1.2 key schedule for one key (docs/PROTOCOL.md 1.2-1.4):
//   RPIK = HKDF(TEK, NULL, "EN-RPIK", 16)     AEMK = HKDF(TEK, NULL, "EN-AEMK", 16)
//   RPI  = AES-128(RPIK, "EN-RPI" || 00*6 || ENIN little-endian)
//   AEM  = AES-128-CTR(AEMK, IV = RPI, metadata)
// These are the readable reference functions. Deriving many RPIs at once (matching,
// `keys derive --count`) goes through the batch API in rpi_batch.h.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "gaen/keys/interval.h"
#include "crypto/secret.h"
#include "platform/base/status.h"

namespace jejak {

// Rolling Proximity Identifier: broadcast in the clear, so not a Secret.
using Rpi = std::array<uint8_t, 16>;
// Associated Encrypted Metadata: 4 bytes of AES-CTR ciphertext.
using Aem = std::array<uint8_t, 4>;
// Plaintext metadata as broadcast: version byte, TX power, two reserved bytes.
using MetadataBytes = std::array<uint8_t, 4>;

Rpik DeriveRpik(const Tek& tek);
Aemk DeriveAemk(const Tek& tek);

// The 16-byte AES input block for an interval.
std::array<uint8_t, 16> RpiPaddedData(EnIntervalNumber enin);
// Internal when the AES primitive fails (OpenSSL out of memory): never an all-zero RPI.
Result<Rpi> DeriveRpi(const Rpik& rpik, EnIntervalNumber enin);

// Encrypts and decrypts alike (CTR mode). Internal when the AES primitive fails.
Result<Aem> CryptMetadata(const Aemk& aemk, const Rpi& rpi, const MetadataBytes& metadata);
inline Result<MetadataBytes> DecryptMetadata(const Aemk& aemk, const Rpi& rpi, const Aem& aem) {
    return CryptMetadata(aemk, rpi, aem);
}

// Decoded metadata byte 0 and TX power. Version 1.0 writes 0x40; version 1.1 writes
// 0x50 | confidence << 2 (confidence 0 = lowest .. 3 = high).
struct Metadata {
    uint8_t major = 1;
    uint8_t minor = 0;
    // TX power calibration confidence, 0..3; only carried by minor >= 1 (else reads 0).
    uint8_t calibration_confidence = 0;
    int8_t tx_power_dbm = 0;

    static Metadata V10(int8_t tx_power_dbm) { return {1, 0, 0, tx_power_dbm}; }
    static Metadata V11(int8_t tx_power_dbm, uint8_t confidence) {
        return {1, 1, confidence, tx_power_dbm};
    }
    friend bool operator==(const Metadata&, const Metadata&) = default;
};

// InvalidArgument for major/minor outside 0..3 or confidence outside 0..3.
Result<MetadataBytes> EncodeMetadata(const Metadata& metadata);
// Corruption unless the major version is 1 (the only one defined). Reserved bits and bytes
// are ignored, as receivers must tolerate future use of them.
Result<Metadata> DecodeMetadata(std::span<const uint8_t> bytes);

}  // namespace jejak
