// Fuzzes the AD parser and the GAEN recogniser. Properties: never crashes; the GAEN
// recogniser accepts only AD the generic parser accepts, and what it returns rebuilds into
// an advert it recognises again.
#include <cstdint>
#include <cstdlib>

#include "platform/codec/ad.h"
#include "platform/codec/gaen_advert.h"

using namespace jejak;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> ad(data, size);
    auto parsed = ParseAd(ad);
    if (parsed.ok()) {
        for (const AdStructure& s : *parsed) {
            if (s.data.data() < data || s.data.data() + s.data.size() > data + size) std::abort();
        }
    }
    const auto gaen = ParseGaenAdvert(ad);
    if (gaen) {
        if (!parsed.ok()) std::abort();
        for (bool flags : {true, false}) {
            if (ParseGaenAdvert(BuildGaenAdvert(*gaen, flags)) != gaen) std::abort();
        }
    }
    AdBuilder builder(kLegacyAdMax);
    (void)builder.Add(size > 0 ? data[0] : 0, ad.subspan(size > 0 ? 1 : 0));
    if (builder.size() > kLegacyAdMax) std::abort();
    return 0;
}
