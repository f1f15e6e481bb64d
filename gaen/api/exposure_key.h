// One temporary exposure key as the publish API and the key file carry it (docs/PROTOCOL.md
// section 4, ExposureKey): the TEK and the three integers the ekeyhmac covers. The device
// builds it from its own keys; the authority parses it from untrusted request bodies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "gaen/keys/key_schedule.h"
#include "platform/base/status.h"

namespace jejak {

struct ExposureKey {
    Tek key;
    uint32_t rolling_start_number = 0;
    uint32_t rolling_period = 0;
    int32_t transmission_risk = 0;
    friend bool operator==(const ExposureKey&, const ExposureKey&) = default;
};

// {"key": base64, "rollingStartNumber", "rollingPeriod", "transmissionRisk"}.
nlohmann::json ExposureKeyJson(const ExposureKey& key);
nlohmann::json ExposureKeysJson(std::span<const ExposureKey> keys);

// The integer `name` of the JSON object `obj` in [lo, hi]; nullopt when absent or null;
// InvalidArgument "<where><name> must be an integer in lo..hi" otherwise (the API bodies'
// integers, read the same way on both sides).
Result<std::optional<int64_t>> OptionalJsonInteger(const nlohmann::json& obj, const char* name,
                                                   int64_t lo, int64_t hi,
                                                   const std::string& where = "");

// How strictly ParseExposureKey checks the integers. kShape: what the wire allows
// (rollingPeriod >= 0, any 32-bit transmissionRisk, which the key server's publish rules then
// judge); kValid: what a key may hold (rollingPeriod 1..144, transmissionRisk 0..8).
enum class ExposureKeyCheck { kShape, kValid };

// Element `index` of a temporaryExposureKeys array: `key` canonical base64 of 16 bytes,
// rollingStartNumber and rollingPeriod required, transmissionRisk optional (0). Never throws;
// InvalidArgument naming "temporaryExposureKeys[i].field" otherwise.
Result<ExposureKey> ParseExposureKey(const nlohmann::json& element, size_t index,
                                     ExposureKeyCheck check);

}  // namespace jejak
