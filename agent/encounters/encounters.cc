// Grouping sightings into contacts (encounters.h).
#include "agent/encounters/encounters.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <tuple>

#include "gaen/risk/calibration.h"
#include "agent/exposure/exposure_window.h"
#include "gaen/keys/key_schedule.h"
#include "platform/base/hex.h"

namespace jejak {
namespace {

// A sighting's first and last advert fall into windows of whole seconds: a new RPI may be
// stamped up to this much before the previous one's last advert and still follow it.
constexpr int64_t kRotationOverlapS = 2;
// A duty-cycled scanner hears the new RPI at its next scan: the gap to the previous scan
// plus at most this much (the previous scan's own length and the time stamps' rounding).
constexpr int64_t kScanSlackS = 30;

struct Run {
    RpiRun run;
    std::vector<const Sighting*> rows;   // in time order
    std::vector<std::optional<int>> tx;  // per row: the key's TX power, when known
    int key = -1;                        // index into the known senders, -1: unknown
    uint64_t adverts = 0;
    const Sighting& First() const { return *rows.front(); }
    const Sighting& Last() const { return *rows.back(); }
};

std::vector<Run> RunsByRpi(std::span<const Sighting> sightings) {
    std::map<Rpi, Run> by_rpi;
    for (const Sighting& s : sightings) {
        Run& r = by_rpi[s.rpi];
        if (r.rows.empty()) {
            r.run.rpi_prefix = HexEncode(s.rpi).substr(0, kRpiPrefixHexDigits);
            r.run.start_unix_s = s.first_seen_unix_s;
            r.run.end_unix_s = s.last_seen_unix_s;
        }
        r.run.start_unix_s = std::min(r.run.start_unix_s, s.first_seen_unix_s);
        r.run.end_unix_s = std::max(r.run.end_unix_s, s.last_seen_unix_s);
        ++r.run.sightings;
        r.rows.push_back(&s);
        r.adverts += s.count;
    }
    std::vector<Run> runs;
    runs.reserve(by_rpi.size());
    for (auto& [rpi, r] : by_rpi) {
        std::stable_sort(r.rows.begin(), r.rows.end(), [](const Sighting* a, const Sighting* b) {
            return a->first_seen_unix_s < b->first_seen_unix_s;
        });
        runs.push_back(std::move(r));
    }
    std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
        return std::tie(a.run.start_unix_s, a.run.end_unix_s, a.run.rpi_prefix) <
               std::tie(b.run.start_unix_s, b.run.end_unix_s, b.run.rpi_prefix);
    });
    return runs;
}

// The TX power a row's metadata carries, decrypted as `jejak match` does it; nullopt where
// match would reject the row (undecodable metadata, TX power out of range).
std::optional<int> RowTxPower(const Aemk& aemk, const Sighting& s) {
    auto plain = DecryptMetadata(aemk, s.rpi, s.aem);
    if (!plain.ok()) return std::nullopt;
    auto metadata = DecodeMetadata(*plain);
    if (!metadata.ok() || metadata->tx_power_dbm < kTxPowerMinDbm ||
        metadata->tx_power_dbm > kTxPowerMaxDbm) {
        return std::nullopt;
    }
    return metadata->tx_power_dbm;
}

// Marks the runs of known keys and reads their rows' TX power.
void AttributeKnown(std::vector<Run>& runs, std::span<const KnownSender> known) {
    std::map<Rpi, int> owner;
    for (size_t k = 0; k < known.size(); ++k) {
        const Rpik rpik = DeriveRpik(known[k].key);
        for (uint32_t i = 0; i < known[k].rolling_period; ++i) {
            auto rpi = DeriveRpi(rpik, known[k].rolling_start + i);
            if (rpi.ok()) owner.emplace(*rpi, static_cast<int>(k));
        }
    }
    for (Run& r : runs) {
        r.tx.assign(r.rows.size(), std::nullopt);
        auto it = owner.find(r.First().rpi);
        if (it == owner.end()) continue;
        r.key = it->second;
        const Aemk aemk = DeriveAemk(known[static_cast<size_t>(r.key)].key);
        for (size_t i = 0; i < r.rows.size(); ++i) r.tx[i] = RowTxPower(aemk, *r.rows[i]);
    }
}

// How long after a run ends the next RPI of the same sender may first be heard, judged from
// the receiver's scan regime at `first` (the new RPI's first row).
int64_t HandoverTolerance(const Sighting& first, const EncounterOptions& options) {
    switch (first.scan_regime) {
        case ScanRegime::kContinuous:
            return kContinuousHandoverS;
        case ScanRegime::kDutyCycled:
            if (first.seconds_since_previous_scan >= 0) {
                return int64_t{first.seconds_since_previous_scan} + kScanSlackS;
            }
            return options.link_gap_s;
        case ScanRegime::kUnrecorded:
            break;
    }
    return options.link_gap_s;
}

// Contacts as lists of run indices, and the ambiguous hand-overs between them.
struct Grouping {
    std::vector<std::vector<size_t>> contacts;
    std::vector<ContactLink> links;
    std::vector<std::pair<size_t, size_t>> unjoined;  // (earlier run, later run)
};

// One contact per known key, split only by silences longer than link_gap_s.
void GroupKnown(const std::vector<Run>& runs, const EncounterOptions& options, Grouping& g) {
    std::map<int, size_t> open;  // key -> contact index
    for (size_t i = 0; i < runs.size(); ++i) {
        if (runs[i].key < 0) continue;
        auto it = open.find(runs[i].key);
        if (it != open.end()) {
            int64_t end = 0;
            for (size_t r : g.contacts[it->second]) end = std::max(end, runs[r].run.end_unix_s);
            if (runs[i].run.start_unix_s - end <= options.link_gap_s) {
                g.contacts[it->second].push_back(i);
                continue;
            }
        }
        open[runs[i].key] = g.contacts.size();
        g.contacts.push_back({i});
        g.links.push_back(ContactLink::kKey);
    }
}

// Runs of unknown senders joined only at unambiguous, signal-compatible hand-overs.
void GroupUnknown(const std::vector<Run>& runs, const EncounterOptions& options, Grouping& g) {
    std::vector<size_t> by_end;
    for (size_t i = 0; i < runs.size(); ++i) {
        if (runs[i].key < 0) by_end.push_back(i);
    }
    std::sort(by_end.begin(), by_end.end(),
              [&](size_t a, size_t b) { return runs[a].run.end_unix_s < runs[b].run.end_unix_s; });
    std::vector<std::pair<size_t, size_t>> pairs;  // (ending run, beginning run)
    std::vector<int> successors(runs.size(), 0), predecessors(runs.size(), 0);
    for (size_t b : by_end) {
        const int64_t start = runs[b].run.start_unix_s;
        const int64_t earliest = start - HandoverTolerance(runs[b].First(), options);
        auto it = std::lower_bound(by_end.begin(), by_end.end(), earliest,
                                   [&](size_t r, int64_t t) { return runs[r].run.end_unix_s < t; });
        for (; it != by_end.end() && runs[*it].run.end_unix_s <= start + kRotationOverlapS; ++it) {
            const size_t e = *it;
            if (e == b || runs[e].run.start_unix_s >= start) continue;
            pairs.emplace_back(e, b);
            ++successors[e];
            ++predecessors[b];
        }
    }
    std::vector<size_t> next(runs.size(), SIZE_MAX);
    std::vector<bool> has_previous(runs.size(), false);
    for (auto [e, b] : pairs) {
        const double level = std::abs(runs[e].Last().mean_rssi - runs[b].First().mean_rssi);
        if (successors[e] == 1 && predecessors[b] == 1 && level <= kCompatibleRssiDb) {
            next[e] = b;
            has_previous[b] = true;
        } else {
            g.unjoined.emplace_back(e, b);
        }
    }
    for (size_t i = 0; i < runs.size(); ++i) {
        if (runs[i].key >= 0 || has_previous[i]) continue;
        std::vector<size_t> chain{i};
        while (next[chain.back()] != SIZE_MAX) chain.push_back(next[chain.back()]);
        g.links.push_back(chain.size() > 1 ? ContactLink::kRotation : ContactLink::kSingle);
        g.contacts.push_back(std::move(chain));
    }
}

// Attenuation of one reading with the row's TX power (the key's, or the assumed one).
int RowAttenuation(const std::optional<int>& tx, double rssi, const EncounterOptions& options) {
    return AttenuationDb(tx.value_or(options.assumed_tx_power_dbm), rssi,
                         options.rssi_correction_db);
}

Contact Summarise(const std::vector<Run>& runs, const std::vector<size_t>& members,
                  ContactLink link, const EncounterOptions& options) {
    Contact c;
    c.link = link;
    c.start_unix_s = std::numeric_limits<int64_t>::max();
    c.min_attenuation_db = std::numeric_limits<int>::max();
    double attenuation_sum = 0;  // advert-weighted, floored at 0 per row as match does
    std::optional<int> tx;
    bool tx_known = true;
    for (size_t m : members) {
        const Run& r = runs[m];
        c.rpis.push_back(r.run);
        c.start_unix_s = std::min(c.start_unix_s, r.run.start_unix_s);
        c.end_unix_s = std::max(c.end_unix_s, r.run.end_unix_s);
        c.sightings += r.run.sightings;
        c.adverts += r.adverts;
        for (size_t i = 0; i < r.rows.size(); ++i) {
            const Sighting& s = *r.rows[i];
            const int tx_row = r.tx[i].value_or(options.assumed_tx_power_dbm);
            const double rssi = static_cast<double>(s.mean_rssi) + options.rssi_correction_db;
            attenuation_sum += std::max(0.0, tx_row - rssi) * std::max<uint32_t>(1, s.count);
            const int min_db = RowAttenuation(r.tx[i], s.max_rssi, options);
            c.min_attenuation_db = std::min(c.min_attenuation_db, min_db);
            const int64_t mid =
                s.first_seen_unix_s + (s.last_seen_unix_s - s.first_seen_unix_s) / 2;
            c.points.push_back({mid, RowAttenuation(r.tx[i], s.mean_rssi, options), min_db,
                                s.first_seen_unix_s, s.last_seen_unix_s,
                                HandoverTolerance(s, options)});
            tx_known = tx_known && r.tx[i].has_value() && (!tx || *tx == *r.tx[i]);
            if (r.tx[i]) tx = r.tx[i];
        }
    }
    std::stable_sort(
        c.points.begin(), c.points.end(),
        [](const AttenuationPoint& a, const AttenuationPoint& b) { return a.unix_s < b.unix_s; });
    uint64_t weight = 0;
    for (size_t m : members) {
        for (const Sighting* s : runs[m].rows) weight += std::max<uint32_t>(1, s->count);
    }
    c.typical_attenuation_db =
        weight == 0
            ? 0
            : static_cast<int>(std::floor(attenuation_sum / static_cast<double>(weight) + 0.5));
    c.tx_power_known = tx_known && tx.has_value();
    c.tx_power_dbm = c.tx_power_known ? *tx : options.assumed_tx_power_dbm;
    return c;
}

}  // namespace

const char* ContactLinkName(ContactLink link) {
    switch (link) {
        case ContactLink::kSingle:
            return "single";
        case ContactLink::kRotation:
            return "rotation";
        case ContactLink::kKey:
            return "key";
    }
    return "single";
}

int AttenuationFromRssi(double rssi_dbm, const EncounterOptions& options) {
    return AttenuationDb(options.assumed_tx_power_dbm, rssi_dbm, options.rssi_correction_db);
}

std::vector<Contact> GroupContacts(std::span<const Sighting> sightings,
                                   const EncounterOptions& options,
                                   std::span<const KnownSender> known) {
    std::vector<Run> runs = RunsByRpi(sightings);
    AttributeKnown(runs, known);
    Grouping g;
    GroupKnown(runs, options, g);
    GroupUnknown(runs, options, g);

    std::vector<size_t> contact_of(runs.size(), 0);
    std::vector<Contact> out;
    out.reserve(g.contacts.size());
    for (size_t i = 0; i < g.contacts.size(); ++i) {
        for (size_t r : g.contacts[i]) contact_of[r] = i;
        out.push_back(Summarise(runs, g.contacts[i], g.links[i], options));
    }
    std::vector<size_t> order(out.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return out[a].start_unix_s < out[b].start_unix_s; });
    std::vector<int> id_of(out.size());
    for (size_t i = 0; i < order.size(); ++i) id_of[order[i]] = static_cast<int>(i + 1);
    for (auto [e, b] : g.unjoined) {
        std::vector<int>& may = out[contact_of[b]].may_continue;
        const int id = id_of[contact_of[e]];
        if (contact_of[e] != contact_of[b] && std::find(may.begin(), may.end(), id) == may.end()) {
            may.push_back(id);
        }
    }
    std::vector<Contact> sorted;
    sorted.reserve(out.size());
    for (size_t i : order) {
        out[i].id = id_of[i];
        std::sort(out[i].may_continue.begin(), out[i].may_continue.end());
        sorted.push_back(std::move(out[i]));
    }
    return sorted;
}

}  // namespace jejak
