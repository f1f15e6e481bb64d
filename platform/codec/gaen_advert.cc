// GAEN advert builder and scanner-side recogniser (one pass, no allocation).
#include "platform/codec/gaen_advert.h"

#include <algorithm>
#include <cassert>

namespace jejak {

std::vector<uint8_t> BuildGaenAdvert(const GaenPayload& payload, bool with_flags) {
    AdBuilder b(kLegacyAdMax);
    std::array<uint8_t, kGaenServiceDataLength> sd{};
    std::copy(payload.rpi.begin(), payload.rpi.end(), sd.begin());
    std::copy(payload.aem.begin(), payload.aem.end(), sd.begin() + 16);
    const uint16_t uuids[] = {kGaenServiceUuid};
    Status s;
    if (with_flags) s = b.AddFlags(kGaenFlags);
    if (s.ok()) s = b.AddComplete16BitUuids(uuids);
    if (s.ok()) s = b.AddServiceData16(kGaenServiceUuid, sd);
    assert(s.ok() && b.size() == (with_flags ? 31u : 28u));
    (void)s;
    return b.bytes();
}

std::optional<GaenPayload> ParseGaenAdvert(std::span<const uint8_t> ad) {
    std::optional<GaenPayload> found;
    size_t pos = 0;
    while (pos < ad.size()) {
        const size_t len = ad[pos];
        if (len == 0) break;                                 // zero padding
        if (len > ad.size() - pos - 1) return std::nullopt;  // malformed: trust nothing
        const uint8_t* s = ad.data() + pos + 1;              // type, then len-1 data bytes
        if (!found && s[0] == kAdServiceData16 && len == 1 + 2 + kGaenServiceDataLength &&
            s[1] == (kGaenServiceUuid & 0xFF) && s[2] == (kGaenServiceUuid >> 8)) {
            GaenPayload p;
            std::copy_n(s + 3, 16, p.rpi.begin());
            std::copy_n(s + 19, 4, p.aem.begin());
            found = p;
        }
        pos += 1 + len;
    }
    return found;
}

}  // namespace jejak
