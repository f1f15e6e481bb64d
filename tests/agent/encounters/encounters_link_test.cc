// Joining RPIs into contacts only where the hand-over is unambiguous:
// two and five senders rotating in the same scan window stay apart, staggered rotations
// join, a known key joins its own RPIs whatever the others do, and the attenuation shown for
// a known key's sighting is the one `jejak match` scores for it.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "agent/check/match_check.h"
#include "agent/daemon/daemon.h"
#include "agent/encounters/encounters.h"
#include "agent/exposure/exposure_window.h"
#include "gaen/keys/key_schedule.h"
#include "platform/base/hex.h"

namespace jejak {
namespace {

constexpr int64_t kT0 = 1768471200;  // 2026-01-15T10:00:00Z, an interval boundary

Tek KeyOf(uint8_t sender) {
    Tek key;
    for (size_t i = 0; i < 16; ++i) key.mutable_bytes()[i] = static_cast<uint8_t>(sender + i);
    return key;
}

KnownSender Known(uint8_t sender) {
    return {KeyOf(sender), RollingStartOf(static_cast<EnIntervalNumber>(kT0 / 600)), 144};
}

// A row of `sender` as a continuous receiver stores it: its real RPI for the interval of
// `rpi_time` and an AEM carrying `tx` dBm.
Sighting Row(uint8_t sender, int64_t rpi_time, int64_t first, int64_t last, float rssi, int tx) {
    const Tek key = KeyOf(sender);
    Sighting s;
    s.rpi = *DeriveRpi(DeriveRpik(key), static_cast<EnIntervalNumber>(rpi_time / 600));
    s.aem = *CryptMetadata(DeriveAemk(key), s.rpi,
                           *EncodeMetadata(Metadata::V10(static_cast<int8_t>(tx))));
    s.first_seen_unix_s = first;
    s.last_seen_unix_s = last;
    s.count = 5;
    s.mean_rssi = rssi;
    s.max_rssi = static_cast<int8_t>(std::lround(rssi) + 2);
    s.min_rssi = static_cast<int8_t>(std::lround(rssi) - 2);
    s.scan_regime = ScanRegime::kContinuous;
    s.bin_seconds = 60;
    s.seconds_since_previous_scan = 0;
    return s;
}

// `sender` heard in the receiver's 5-s windows over [from, to) (from >= kT0), rotating its
// RPI every 600 s at kT0 + phase + 600 k (its own rotation clock, 0 <= phase < 600).
void Hear(std::vector<Sighting>& rows, uint8_t sender, int64_t from, int64_t to, float rssi,
          int64_t phase = 0, int tx = -15) {
    for (int64_t t = from; t < to; t += 5) {
        // The RPI in use at t: the k-th of the sender's, counted from kT0's interval.
        const int64_t k = (t - kT0 + 600 - phase) / 600;
        rows.push_back(Row(sender, kT0 + 600 * k, t, std::min(t + 4, to - 1), rssi, tx));
    }
}

// The sender (first RPI byte's owner) of each RPI prefix, from the rows.
std::map<std::string, uint8_t> Owners(const std::vector<Sighting>& rows,
                                      const std::map<Rpi, uint8_t>& sender_of) {
    std::map<std::string, uint8_t> owners;
    for (const Sighting& s : rows) {
        owners[HexEncode(s.rpi).substr(0, kRpiPrefixHexDigits)] = sender_of.at(s.rpi);
    }
    return owners;
}

std::map<Rpi, uint8_t> SenderOf(const std::vector<uint8_t>& senders) {
    std::map<Rpi, uint8_t> out;
    for (uint8_t s : senders) {
        const Rpik rpik = DeriveRpik(KeyOf(s));
        for (uint32_t i = 0; i < 144; ++i) {
            out[*DeriveRpi(rpik, static_cast<EnIntervalNumber>(kT0 / 600) + i)] = s;
        }
    }
    return out;
}

// Senders in each contact.
std::vector<std::set<uint8_t>> SendersPerContact(const std::vector<Contact>& contacts,
                                                 const std::map<std::string, uint8_t>& owner) {
    std::vector<std::set<uint8_t>> out;
    for (const Contact& c : contacts) {
        std::set<uint8_t> senders;
        for (const RpiRun& r : c.rpis) senders.insert(owner.at(r.rpi_prefix));
        out.push_back(senders);
    }
    return out;
}

}  // namespace

TEST_CASE("five senders rotating in the same scan window: fifteen segments, none shared") {
    const std::vector<uint8_t> senders{0x10, 0x20, 0x30, 0x40, 0x50};
    std::vector<Sighting> rows;
    for (size_t i = 0; i < senders.size(); ++i) {
        Hear(rows, senders[i], kT0, kT0 + 1800, -50.0f - 3.0f * static_cast<float>(i));
    }
    const auto contacts = GroupContacts(rows, {});
    const auto owner = Owners(rows, SenderOf(senders));
    REQUIRE(contacts.size() == 15);
    for (const auto& s : SendersPerContact(contacts, owner)) CHECK(s.size() == 1);
    for (const Contact& c : contacts) {
        CHECK(c.rpis.size() == 1);
        // Every segment after a rotation names the five it may continue.
        CHECK(c.may_continue.size() == (c.start_unix_s == kT0 ? 0u : 5u));
    }
}

TEST_CASE("five senders rotating at different moments: five contacts of three RPIs each") {
    // Sender i rotates at 100 i + 600 k s: no two hand-overs within the 15-s tolerance.
    const std::vector<uint8_t> senders{0x10, 0x20, 0x30, 0x40, 0x50};
    std::vector<Sighting> rows;
    for (size_t i = 0; i < senders.size(); ++i) {
        Hear(rows, senders[i], kT0, kT0 + 1800, -50.0f - 3.0f * static_cast<float>(i),
             100 * static_cast<int64_t>(i));
    }
    const auto contacts = GroupContacts(rows, {});
    const auto owner = Owners(rows, SenderOf(senders));
    REQUIRE(contacts.size() == 5);
    std::set<uint8_t> seen;
    for (const auto& s : SendersPerContact(contacts, owner)) {
        REQUIRE(s.size() == 1);
        seen.insert(*s.begin());
    }
    CHECK(seen.size() == 5);
    for (const Contact& c : contacts) {
        CHECK(c.link == ContactLink::kRotation);
        CHECK(c.DurationSeconds() == 1799);
        CHECK(c.may_continue.empty());
    }
}

TEST_CASE("two senders, one leaving as the other arrives with another signal: two contacts") {
    std::vector<Sighting> rows;
    Hear(rows, 0x10, kT0 + 30, kT0 + 300, -50);
    Hear(rows, 0x20, kT0 + 303, kT0 + 500, -75);  // 25 dB weaker: not the same sender
    const auto contacts = GroupContacts(rows, {});
    REQUIRE(contacts.size() == 2);
    CHECK(contacts[1].may_continue == std::vector<int>{1});
    // Without a key, a departure and an arrival seconds apart at a compatible level cannot
    // be told from a rotation: the hand-over is unambiguous and joins, as the rule says.
    std::vector<Sighting> one;
    Hear(one, 0x10, kT0 + 30, kT0 + 300, -50);
    Hear(one, 0x20, kT0 + 303, kT0 + 500, -53);
    CHECK(GroupContacts(one, {}).size() == 1);
}

TEST_CASE("a duty-cycled receiver joins a hand-over across its scan gap, unless two rotate") {
    // Scans of 4 s every 300 s: an RPI last heard at 10:05:04 and the next first heard at
    // 10:10:00 are 296 s apart, within the gap to the previous scan (296 s) + 30 s.
    auto scans = [](std::vector<Sighting>& rows, uint8_t sender, float rssi) {
        for (int64_t t = kT0; t < kT0 + 1200; t += 300) {
            Sighting s = Row(sender, kT0 + 600 * ((t - kT0) / 600), t, t + 4, rssi, -15);
            s.scan_regime = ScanRegime::kDutyCycled;
            s.bin_seconds = 0;
            s.seconds_since_previous_scan = t == kT0 ? -1 : 296;
            rows.push_back(s);
        }
    };
    std::vector<Sighting> one;
    scans(one, 0x10, -50);
    const auto joined = GroupContacts(one, {});
    REQUIRE(joined.size() == 1);
    CHECK(joined[0].rpis.size() == 2);
    CHECK(joined[0].link == ContactLink::kRotation);
    std::vector<Sighting> two = one;
    scans(two, 0x20, -52);
    const auto apart = GroupContacts(two, {});
    REQUIRE(apart.size() == 4);
    for (const Contact& c : apart) {
        CHECK(c.rpis.size() == 1);
        CHECK(c.may_continue.size() == (c.start_unix_s == kT0 ? 0u : 2u));
    }
}

TEST_CASE("a known key joins its own RPIs for certain, which leaves the others' hand-over clear") {
    // Two senders rotating in the same window: unknown, six segments (above). With 0x10's key
    // known its RPIs are one contact for certain, and then only one unknown RPI ends and one
    // begins at each rotation: 0x20 joins too.
    std::vector<Sighting> rows;
    Hear(rows, 0x10, kT0, kT0 + 1800, -50);
    Hear(rows, 0x20, kT0, kT0 + 1800, -52);
    CHECK(GroupContacts(rows, {}).size() == 6);
    const std::vector<KnownSender> known{Known(0x10)};
    const auto contacts = GroupContacts(rows, {}, known);
    const auto owner = Owners(rows, SenderOf({0x10, 0x20}));
    REQUIRE(contacts.size() == 2);
    const auto senders = SendersPerContact(contacts, owner);
    for (size_t i = 0; i < contacts.size(); ++i) {
        REQUIRE(senders[i].size() == 1);
        CHECK(contacts[i].rpis.size() == 3);
        const bool keyed = contacts[i].link == ContactLink::kKey;
        CHECK(*senders[i].begin() == (keyed ? 0x10 : 0x20));
        CHECK(contacts[i].tx_power_known == keyed);
    }
    CHECK(contacts[0].link != contacts[1].link);
    // Both keys known: two contacts, never mixed.
    const std::vector<KnownSender> both{Known(0x10), Known(0x20)};
    const auto joined = GroupContacts(rows, {}, both);
    REQUIRE(joined.size() == 2);
    for (const auto& s : SendersPerContact(joined, owner)) CHECK(s.size() == 1);
    // A known key heard twice, 20 minutes apart: two contacts.
    std::vector<Sighting> twice;
    Hear(twice, 0x10, kT0, kT0 + 300, -50);
    Hear(twice, 0x10, kT0 + 1500, kT0 + 1800, -50);
    CHECK(GroupContacts(twice, {}, known).size() == 2);
}

TEST_CASE("a known key's attenuation is the one match scores for the same sighting") {
    // Regression: encounters assumed a -25 dBm sender and showed 26 dB where match
    // scored 36 dB for a sender advertising -15 dBm. Rows 60 s apart of an unrecorded regime
    // are one scan instance each, so match's instances line up with encounters' points.
    EncounterOptions options;
    options.rssi_correction_db = 3;
    std::vector<Sighting> rows;
    const float levels[] = {-47.5f, -55.2f, -61.5f, -40.0f};
    for (int i = 0; i < 4; ++i) {
        Sighting s = Row(0x10, kT0, kT0 + 60 * i, kT0 + 60 * i + 4, levels[i], -12);
        s.scan_regime = ScanRegime::kUnrecorded;
        s.bin_seconds = 0;
        s.seconds_since_previous_scan = -1;
        rows.push_back(s);
    }
    const std::vector<KnownSender> known{Known(0x10)};
    const auto contacts = GroupContacts(rows, options, known);
    REQUIRE(contacts.size() == 1);
    const Contact& c = contacts[0];
    CHECK(c.tx_power_known);
    CHECK(c.tx_power_dbm == -12);

    std::vector<SightingRecord> records;
    KeyHits hits;
    hits.key.key = KeyOf(0x10);
    hits.key.rolling_start_interval_number = Known(0x10).rolling_start;
    for (const Sighting& s : rows) {
        hits.hits.push_back(
            {static_cast<uint32_t>(records.size()), static_cast<EnIntervalNumber>(kT0 / 600)});
        records.push_back(ToSightingRecord(s));
    }
    WindowConfig config;
    config.rssi_correction_db = options.rssi_correction_db;
    const auto windows = BuildExposureWindows(hits, records, config, nullptr);
    REQUIRE(windows.size() == 1);
    REQUIRE(windows[0].scans.size() == c.points.size());
    for (size_t i = 0; i < c.points.size(); ++i) {
        CHECK(c.points[i].typical_db == windows[0].scans[i].typical_attenuation_db);
        CHECK(c.points[i].min_db == windows[0].scans[i].min_attenuation_db);
    }
    // -12 - (-47.5 + 3) = 32.5 -> 33 (half up, as match rounds).
    CHECK(c.points[0].typical_db == 33);
    // Unknown, the same rows use the assumed Jejak sender TX, the daemon's own default.
    CHECK(kAssumedTxPowerDbm == DaemonOptions{}.tx_power_dbm);
    const auto unknown = GroupContacts(rows, options);
    REQUIRE(unknown.size() == 1);
    CHECK_FALSE(unknown[0].tx_power_known);
    CHECK(unknown[0].points[0].typical_db == 30);  // -15 - (-47.5 + 3) = 29.5 -> 30
}

}  // namespace jejak
