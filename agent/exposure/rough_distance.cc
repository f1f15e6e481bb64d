// Rough distance bands from attenuation (rough_distance.h).
#include "agent/exposure/rough_distance.h"

#include <array>
#include <cmath>

namespace jejak {
namespace {

constexpr double kDbPerDecade = 20;  // free space: 20 log10(d)

constexpr std::array<DistanceBand, 4> kBands{{
    {"within about 1 m", 1},
    {"1-2 m", 2},
    {"2-4 m", 4},
    {"farther", 0},
}};

}  // namespace

double RoughDistanceMetres(int attenuation_db) {
    return kReferenceDistanceM *
           std::pow(10.0, (attenuation_db - kReferenceAttenuationDb) / kDbPerDecade);
}

int AttenuationAtMostMetres(double metres) {
    return static_cast<int>(std::floor(kReferenceAttenuationDb +
                                       kDbPerDecade * std::log10(metres / kReferenceDistanceM)));
}

std::span<const DistanceBand> DistanceBands() { return kBands; }

const DistanceBand& DistanceBandOf(int attenuation_db) {
    for (const DistanceBand& band : kBands) {
        if (band.up_to_m > 0 && attenuation_db <= AttenuationAtMostMetres(band.up_to_m)) {
            return band;
        }
    }
    return kBands.back();
}

}  // namespace jejak
