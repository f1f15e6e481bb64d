// Encounters: the owner's local view of what the device heard, without any published key.
//
// A sighting row is one RPI heard during one scan window. The same RPI always belongs to the
// same sender, so each RPI's rows form one run; a sender changes its RPI (and address) every
// 10 minutes, so a run that starts within `link_gap_s` after another run ended, while no
// other run of that sender is still being heard, continues the same contact. Without the
// sender's key this linking is a best guess: two senders rotating at the same moment may be
// swapped. Linking picks the open contact whose last run ended closest before the new one
// starts, preferring a similar signal level.
//
// Attenuation: the sender's TX power travels encrypted in its AEM and is unreadable until its
// key is published, so the local view assumes a typical sender (`assumed_tx_power_dbm`, the
// calibration table's fleet mean) and applies the receiver's RSSI correction:
// attenuation = tx - (rssi + correction), floored at 0 (docs/PROTOCOL.md 6.1).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "storage/store.h"

namespace jejak {

inline constexpr int kAssumedTxPowerDbm = -25;    // fleet mean of the calibration table's tx
inline constexpr size_t kRpiPrefixHexDigits = 8;  // enough to tell contacts apart

struct EncounterOptions {
    int64_t link_gap_s = 120;  // rotation gap still read as the same sender
    int assumed_tx_power_dbm = kAssumedTxPowerDbm;
    int rssi_correction_db = 0;
};

// One sighting row as a point of a contact's attenuation curve.
struct AttenuationPoint {
    int64_t unix_s = 0;  // middle of the sighting
    int typical_db = 0;  // from the mean RSSI
    int min_db = 0;      // from the strongest RSSI
};

// One RPI's rows.
struct RpiRun {
    std::string rpi_prefix;  // first kRpiPrefixHexDigits hex digits, never the full RPI
    int64_t start_unix_s = 0;
    int64_t end_unix_s = 0;
    uint64_t sightings = 0;
};

struct Contact {
    int id = 0;  // 1.. in order of start
    int64_t start_unix_s = 0;
    int64_t end_unix_s = 0;
    uint64_t sightings = 0;  // rows
    uint64_t adverts = 0;    // advertisements aggregated in those rows
    int min_attenuation_db = 0;
    int typical_attenuation_db = 0;        // from the advert-weighted mean RSSI
    std::vector<RpiRun> rpis;              // in time order
    std::vector<AttenuationPoint> points;  // in time order

    int64_t DurationSeconds() const { return end_unix_s - start_unix_s; }
};

int AttenuationFromRssi(double rssi_dbm, const EncounterOptions& options);

// Groups sightings (any order) into contacts ordered by start time.
std::vector<Contact> GroupContacts(std::span<const Sighting> sightings,
                                   const EncounterOptions& options);

// What the picture shows besides the contacts.
struct SvgOptions {
    int64_t from_unix_s = 0;  // x axis range; empty range: the contacts' own span
    int64_t to_unix_s = 0;
    // Risk-bucket thresholds (immediate, near, medium), shaded as bands.
    std::vector<int> bucket_thresholds_db{30, 50, 60};
    bool local_time = true;  // axis labels in the local time zone (else UTC)
    std::string title;
};

// A standalone SVG document: attenuation (dB, 0 at the top) over time, one <path> per
// contact (class "contact", id "contact-N"), buckets as shaded <rect>s, axes labelled in
// local time (HH:MM) and dB. Always well-formed XML.
std::string RenderAttenuationSvg(const std::vector<Contact>& contacts, const SvgOptions& options);

}  // namespace jejak
