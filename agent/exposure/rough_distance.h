// Rough distance from attenuation, for people reading a picture, never for scoring.
//
// The calibration (calibration.h) is what makes an attenuation mean a distance: Jejak's
// convention, like the CWA's, puts 1.5 m at 55 dB (docs/efficacy.md, "Calibration"; the
// receiver's rssi_correction_db is chosen so). Beyond that one point, free-space path loss
// (20 dB per tenfold distance) gives the rest. Bodies, walls and pockets add loss, so a real
// contact often looks farther than it was: the bands are approximate and say so.
#pragma once

#include <span>
#include <string_view>

namespace jejak {

// The calibration's reference point: this attenuation at this distance.
inline constexpr double kReferenceDistanceM = 1.5;
inline constexpr int kReferenceAttenuationDb = 55;

// Distance in metres that an attenuation suggests (free space from the reference point).
double RoughDistanceMetres(int attenuation_db);
// The largest whole-dB attenuation still read as at most `metres` away.
int AttenuationAtMostMetres(double metres);

// Bands a lay reader can picture, closest first; the last has no upper bound.
struct DistanceBand {
    std::string_view words;  // "within about 1 m", "1-2 m", "2-4 m", "farther"
    double up_to_m = 0;      // 0 for the last band
};
std::span<const DistanceBand> DistanceBands();
// The band an attenuation falls into (by AttenuationAtMostMetres of each band's border).
const DistanceBand& DistanceBandOf(int attenuation_db);

}  // namespace jejak
