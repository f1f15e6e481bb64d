// Grouping sightings into contacts (encounters.h).
#include "agent/encounters/encounters.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <tuple>

#include "platform/base/hex.h"

namespace jejak {
namespace {

// A sighting's first and last advert fall into windows of whole seconds: a new RPI may be
// stamped up to this much before the previous one's last advert and still follow it.
constexpr int64_t kRotationOverlapS = 2;

struct Run {
    RpiRun run;
    std::vector<const Sighting*> rows;
    double rssi_sum = 0;  // mean RSSI x adverts, summed
    uint64_t adverts = 0;
    double MeanRssi() const { return adverts == 0 ? 0 : rssi_sum / static_cast<double>(adverts); }
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
        r.rssi_sum += static_cast<double>(s.mean_rssi) * s.count;
        r.adverts += s.count;
    }
    std::vector<Run> runs;
    runs.reserve(by_rpi.size());
    for (auto& [rpi, r] : by_rpi) runs.push_back(std::move(r));
    std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
        return std::tie(a.run.start_unix_s, a.run.end_unix_s, a.run.rpi_prefix) <
               std::tie(b.run.start_unix_s, b.run.end_unix_s, b.run.rpi_prefix);
    });
    return runs;
}

struct OpenContact {
    std::vector<const Run*> runs;
    int64_t end_unix_s = 0;
    double last_mean_rssi = 0;
};

// The contact `run` continues, or -1: the closest end before its start within the gap,
// then the closest signal level.
int PickContact(const std::vector<OpenContact>& open, const Run& run,
                const EncounterOptions& options) {
    int best = -1;
    int64_t best_gap = std::numeric_limits<int64_t>::max();
    double best_level = 0;
    for (size_t i = 0; i < open.size(); ++i) {
        const int64_t gap = run.run.start_unix_s - open[i].end_unix_s;
        if (gap < -kRotationOverlapS || gap > options.link_gap_s) continue;
        const int64_t g = std::max<int64_t>(gap, 0);
        const double level = std::abs(open[i].last_mean_rssi - run.MeanRssi());
        if (g < best_gap || (g == best_gap && level < best_level)) {
            best = static_cast<int>(i);
            best_gap = g;
            best_level = level;
        }
    }
    return best;
}

Contact Summarise(const OpenContact& open, const EncounterOptions& options) {
    Contact c;
    c.start_unix_s = open.runs.front()->run.start_unix_s;
    c.end_unix_s = open.end_unix_s;
    double rssi_sum = 0;
    int max_rssi = std::numeric_limits<int>::min();
    for (const Run* r : open.runs) {
        c.rpis.push_back(r->run);
        c.sightings += r->run.sightings;
        c.adverts += r->adverts;
        rssi_sum += r->rssi_sum;
        for (const Sighting* s : r->rows) {
            max_rssi = std::max(max_rssi, int{s->max_rssi});
            const int64_t mid =
                s->first_seen_unix_s + (s->last_seen_unix_s - s->first_seen_unix_s) / 2;
            c.points.push_back({mid, AttenuationFromRssi(s->mean_rssi, options),
                                AttenuationFromRssi(s->max_rssi, options)});
        }
    }
    std::stable_sort(
        c.points.begin(), c.points.end(),
        [](const AttenuationPoint& a, const AttenuationPoint& b) { return a.unix_s < b.unix_s; });
    const double mean = c.adverts == 0 ? 0 : rssi_sum / static_cast<double>(c.adverts);
    c.typical_attenuation_db = AttenuationFromRssi(mean, options);
    c.min_attenuation_db = AttenuationFromRssi(max_rssi, options);
    return c;
}

}  // namespace

int AttenuationFromRssi(double rssi_dbm, const EncounterOptions& options) {
    const double a = options.assumed_tx_power_dbm - (rssi_dbm + options.rssi_correction_db);
    return a <= 0 ? 0 : static_cast<int>(std::lround(a));
}

std::vector<Contact> GroupContacts(std::span<const Sighting> sightings,
                                   const EncounterOptions& options) {
    const std::vector<Run> runs = RunsByRpi(sightings);
    std::vector<OpenContact> contacts;
    for (const Run& run : runs) {
        int i = PickContact(contacts, run, options);
        if (i < 0) {
            contacts.emplace_back();
            i = static_cast<int>(contacts.size() - 1);
        }
        OpenContact& c = contacts[static_cast<size_t>(i)];
        c.runs.push_back(&run);
        c.end_unix_s = std::max(c.end_unix_s, run.run.end_unix_s);
        c.last_mean_rssi = run.MeanRssi();
    }
    std::vector<Contact> out;
    out.reserve(contacts.size());
    for (const OpenContact& c : contacts) out.push_back(Summarise(c, options));
    std::stable_sort(out.begin(), out.end(), [](const Contact& a, const Contact& b) {
        return a.start_unix_s < b.start_unix_s;
    });
    for (size_t i = 0; i < out.size(); ++i) out[i].id = static_cast<int>(i + 1);
    return out;
}

}  // namespace jejak
