// Encounters: the owner's local view of what the device heard, without any published key.
//
// A sighting row is one RPI heard during one scan window. The same RPI always belongs to the
// same sender, so each RPI's rows form one run. A sender changes its RPI (and address) every
// 10 minutes, and hiding who is who across that change is exactly what rotation is for, so
// runs are joined into one contact only where the hand-over cannot be anyone else's:
//  - runs of a known key (a diagnosis key of an export given with `--keys`) are one sender for
//    certain: they are joined whatever the other senders do (split only by a silence
//    longer than link_gap_s);
//  - otherwise run B continues run E only when B starts within a rotation's tolerance of E's
//    end, E is the only run ending there and B the only one starting there, and their
//    signal levels are compatible (kCompatibleRssiDb). Two senders rotating in the same
//    scan window therefore become separate segments, never swapped; each such segment lists
//    the segments it may continue (Contact::may_continue), so the split is never silent.
// The rotation tolerance follows the receiver's scan regime: a continuous scanner hears the
// new RPI within seconds (kContinuousHandoverS); a duty-cycled one at its next scan, so the
// gap to the previous scan (the row's seconds_since_previous_scan) plus a scan's length is
// allowed; rows without a regime fall back to link_gap_s.
//
// Attenuation uses the formula `jejak match` scores with (AttenuationDb, calibration.h):
// attenuation = tx - (rssi + receiver correction), floored at 0 (docs/PROTOCOL.md 6.1). For
// a known key tx is the TX power its metadata carries, exactly as match decrypts it, so both
// show the same figure for the same sighting; otherwise the sender's TX power is unreadable
// (encrypted in its AEM) and `assumed_tx_power_dbm` stands in: the power a Jejak device
// advertises by default (DaemonOptions::tx_power_dbm).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gaen/keys/interval.h"
#include "crypto/secret.h"
#include "storage/store.h"

namespace jejak {

inline constexpr int kAssumedTxPowerDbm = -15;    // DaemonOptions::tx_power_dbm's default
inline constexpr size_t kRpiPrefixHexDigits = 8;  // enough to tell contacts apart
// A continuous scanner hears a rotated sender's new RPI within this many seconds.
inline constexpr int64_t kContinuousHandoverS = 15;
// Mean RSSI of the last row before and the first row after a hand-over differ by at most this.
inline constexpr double kCompatibleRssiDb = 10;

struct EncounterOptions {
    // Rotation gap still read as the same sender for rows without a scan regime, and the
    // longest silence inside one contact of a known key.
    int64_t link_gap_s = 120;
    int assumed_tx_power_dbm = kAssumedTxPowerDbm;
    int rssi_correction_db = 0;
};

// A diagnosis key known to belong to a sender heard (from the exports `jejak match` checks):
// its RPIs for intervals [rolling_start, rolling_start + rolling_period) are that sender's.
struct KnownSender {
    Tek key;
    EnIntervalNumber rolling_start = 0;
    uint32_t rolling_period = 144;
};

// How a contact's RPIs were joined.
enum class ContactLink {
    kSingle,    // one RPI
    kRotation,  // several RPIs, every hand-over unambiguous
    kKey,       // several or one RPI of a known key: one sender for certain
};
const char* ContactLinkName(ContactLink link);  // "single", "rotation", "key"

// One sighting row as a point of a contact's attenuation curve.
struct AttenuationPoint {
    int64_t unix_s = 0;        // middle of the sighting
    int typical_db = 0;        // from the mean RSSI
    int min_db = 0;            // from the strongest RSSI
    int64_t first_unix_s = 0;  // the sighting's first and last advert
    int64_t last_unix_s = 0;
    // The longest silence before this sighting that still means "heard at every scan": the
    // receiver's scan interval by its scan regime (the hand-over tolerance below). A longer
    // one is a gap, which a picture must not bridge.
    int64_t scan_interval_s = 0;
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
    ContactLink link = ContactLink::kSingle;
    // Sender TX power the attenuation is computed from: the key's metadata for a known key
    // (when every row's metadata decrypted to the same value), else the assumed one.
    int tx_power_dbm = 0;
    bool tx_power_known = false;
    // Ids of earlier contacts this one may continue: a hand-over left unjoined because it was
    // ambiguous (several RPIs ended or began there) or the signal levels did not match.
    std::vector<int> may_continue;

    int64_t DurationSeconds() const { return end_unix_s - start_unix_s; }
};

// Attenuation from the assumed sender TX power (AttenuationDb with assumed_tx_power_dbm).
int AttenuationFromRssi(double rssi_dbm, const EncounterOptions& options);

// Groups sightings (any order) into contacts ordered by start time; `known` keys link their
// own RPIs and give their TX power.
std::vector<Contact> GroupContacts(std::span<const Sighting> sightings,
                                   const EncounterOptions& options,
                                   std::span<const KnownSender> known = {});

// The rule whose close range the picture shades (the default rule, from the risk code).
struct SvgRule {
    std::string name;         // e.g. "jejak-close-contact"
    int close_up_to_db = 0;   // attenuations up to this count fully; 0: no band
    int minutes_per_day = 0;  // minutes in that range one UTC day needs to notify
};

// What the picture shows besides the contacts.
struct SvgOptions {
    // The day shown (a UTC day, or a local day with local_time); the x axis covers the
    // contacts' span inside it, or the whole day when there are none.
    int64_t from_unix_s = 0;
    int64_t to_unix_s = 0;
    SvgRule rule;
    bool local_time = false;  // one time base for title, axis and legend: local or UTC
    std::string title;
};

// A standalone SVG document for a lay reader: how close each contact was over time (closer at
// the top), in rough distance bands (rough_distance.h, stated as approximate) instead of
// attenuation figures; per contact a line (class "contact", id "contact-N") that never
// bridges a silence longer than the scan interval, a visible marker for every sighting
// (class "sightings") and its number; the rule's close range shaded with a line saying how
// many minutes a day it needs; a legend (id "legend") with each contact's number, start-end,
// minutes and closest band; "no contacts on this day" (id "message") when empty. Always
// well-formed XML; the marker and line points are thinned to the picture's resolution, so
// its size grows with the contacts, not with their sightings.
std::string RenderAttenuationSvg(const std::vector<Contact>& contacts, const SvgOptions& options);

}  // namespace jejak
