// `jejak encounters` after two in-process daemons on one simulated clock: one contact with
// the right start, end and duration (+-1 minute), JSON that keeps its schema, an SVG with one
// path per contact, and no RPI of the sender printed in full anywhere; with the sender's keys
// (--keys), its RPIs joined by its key and its attenuation from its real TX power.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "platform/cli/cli_format.h"
#include "agent/encounters/encounters.h"
#include "gaen/keys/rpi_batch.h"
#include "platform/base/clock.h"
#include "platform/base/hex.h"
#include "storage/sqlite_store.h"
#include "tests/support/cli_runner.h"
#include "tests/agent/cli/json_schema_check.h"
#include "tests/support/export_builders.h"
#include "tests/support/xml_check.h"
#include "tests/fakes/lockstep_clock.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

// Today 10:08:00 UTC: recent, so retention accepts it, and not before the build day, which
// the daemon's clock check takes as the earliest plausible time (a day earlier would keep
// it off air). The senders' RPIs rotate at 10:10 and 10:20.
const int64_t kStart = (SystemClock().NowUnixMicros() / 1000000 / 86400) * 86400 + 36480;
constexpr int64_t kRunSeconds = 13 * 60;

const char* kEncountersSchema = R"({
  "type": "object",
  "required": ["day", "day_unix", "day_end_unix", "local_day", "assumed_tx_power_dbm", "rssi_correction_db",
               "skipped_rows", "known_keys", "contacts"],
  "additionalProperties": false,
  "properties": {
    "day": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"},
    "day_unix": {"type": "integer", "minimum": 0},
    "day_end_unix": {"type": "integer", "minimum": 0},
    "local_day": {"type": "boolean"},
    "assumed_tx_power_dbm": {"type": "integer"},
    "rssi_correction_db": {"type": "integer"},
    "skipped_rows": {"type": "integer", "minimum": 0},
    "known_keys": {"type": "integer", "minimum": 0},
    "contacts": {"type": "array", "items": {
      "type": "object",
      "required": ["id", "start", "start_unix", "end", "end_unix", "duration_s",
                   "min_attenuation_db", "typical_attenuation_db", "sightings", "adverts",
                   "rpi_prefixes", "link", "tx_power_dbm", "tx_power_known", "may_continue"],
      "additionalProperties": false,
      "properties": {
        "id": {"type": "integer", "minimum": 1},
        "start": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(Z|[+-]\\d{2}:\\d{2})$"},
        "end": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(Z|[+-]\\d{2}:\\d{2})$"},
        "start_unix": {"type": "integer", "minimum": 0},
        "end_unix": {"type": "integer", "minimum": 0},
        "duration_s": {"type": "integer", "minimum": 0},
        "min_attenuation_db": {"type": "integer", "minimum": 0},
        "typical_attenuation_db": {"type": "integer", "minimum": 0},
        "sightings": {"type": "integer", "minimum": 1},
        "adverts": {"type": "integer", "minimum": 1},
        "rpi_prefixes": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{8}$"}},
        "link": {"type": "string", "pattern": "^(single|rotation|key)$"},
        "tx_power_dbm": {"type": "integer"},
        "tx_power_known": {"type": "boolean"},
        "may_continue": {"type": "array", "items": {"type": "integer", "minimum": 1}}
      }
    }}
  }
})";

// Every RPI A broadcast while the daemons ran, in hex.
std::vector<std::string> RpisOf(const std::string& state_dir) {
    const ManualClock clock(kStart * 1000000);
    SqliteStoreOptions o;
    o.state_dir = state_dir;
    o.create_if_missing = false;
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    std::vector<std::string> out;
    REQUIRE((*store)
                ->ForEachTek(DayRange::All(),
                             [&](const StoredTek& t) {
                                 std::vector<Rpi> rpis(t.rolling_period);
                                 REQUIRE(RpiDeriver().Derive(t.tek, t.rolling_start, rpis).ok());
                                 for (const Rpi& r : rpis) out.push_back(HexEncode(r));
                             })
                .ok());
    REQUIRE((*store)->Close().ok());
    return out;
}

void CheckNoFullRpi(const std::string& text, const std::vector<std::string>& rpis) {
    for (const std::string& r : rpis) {
        CHECK(text.find(r) == std::string::npos);
        CHECK(text.find(r.substr(0, 16)) == std::string::npos);  // nor half of one
    }
}

// TZ for the life of one test (the in-process CLI reads the local zone through libc).
class ZoneGuard {
public:
    explicit ZoneGuard(const char* zone) {
        if (const char* old = std::getenv("TZ")) old_ = old;
        had_ = std::getenv("TZ") != nullptr;
        setenv("TZ", zone, 1);
        tzset();
    }
    ~ZoneGuard() {
        if (had_)
            setenv("TZ", old_.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }

private:
    std::string old_;
    bool had_ = false;
};

// A store in `state_dir` holding one sender heard every 30 s over [from, from + seconds).
void StoreVisit(const std::string& state_dir, const Clock& clock, int64_t from, int64_t seconds) {
    SqliteStoreOptions o;
    o.state_dir = state_dir;
    auto store = SqliteStore::Open(clock, o);
    REQUIRE(store.ok());
    std::vector<Sighting> rows;
    for (int64_t t = from; t < from + seconds; t += 30) {
        Sighting s;
        s.rpi.fill(0x5a);
        s.first_seen_unix_s = t;
        s.last_seen_unix_s = t + 4;
        s.count = 10;
        s.min_rssi = -62;
        s.max_rssi = -58;
        s.mean_rssi = -60;
        s.scan_regime = ScanRegime::kDutyCycled;
        s.seconds_since_previous_scan = 26;
        rows.push_back(s);
    }
    REQUIRE((*store)->AddSightings(rows).ok());
    REQUIRE((*store)->Close().ok());
}

std::string SlurpEncounters(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("jejak encounters after two daemons on a lockstep clock shows one 13-minute contact") {
    testing::ScratchDir dir("cli-encounters");
    const std::string ether = dir.File("ether");
    const std::string a_dir = dir.File("a");
    const std::string b_dir = dir.File("b");
    const testing::LockstepClock clock(2, kStart * 1000000);
    testing::CliRun a, b;
    const std::string duration = std::to_string(kRunSeconds);
    // A advertises a calibrated -5 dBm in its metadata (its radio setting is another thing).
    std::ofstream(dir.File("a.json")) << R"({"radio": {"calibrated_tx_power_dbm": -5}})";
    std::thread ta([&] {
        a = testing::RunJejakOn(
            clock, {"--state-dir", a_dir, "--config", dir.File("a.json"), "run", "--radio",
                    "sim:" + ether + "?x=0&seed=1", "--duration", duration, "--scan-window", "5",
                    "--tx-power", "-5"});
        clock.Leave();
    });
    std::thread tb([&] {
        b = testing::RunJejakOn(
            clock, {"--state-dir", b_dir, "run", "--radio", "sim:" + ether + "?x=1&seed=2",
                    "--duration", duration, "--scan-window", "5"});
        clock.Leave();
    });
    ta.join();
    tb.join();
    REQUIRE(a.code == 0);
    REQUIRE(b.code == 0);
    const std::vector<std::string> a_rpis = RpisOf(a_dir);
    REQUIRE_FALSE(a_rpis.empty());

    // Human output: one contact, ISO 8601 UTC times.
    auto text = testing::RunJejakOn(clock, {"--state-dir", b_dir, "encounters"});
    REQUIRE(text.code == 0);
    const std::string day = IsoDay(kStart);
    CHECK(text.out.find("encounters on " + day + " (UTC day): 1 contact\n") == 0);
    CHECK(text.out.find("contact 1  " + day + "T10:08:") != std::string::npos);
    CheckNoFullRpi(text.out + text.err, a_rpis);

    // JSON: schema, and start/end/duration within a minute of the simulated run.
    auto json = testing::RunJejakOn(clock, {"encounters", "--day", IsoDay(kStart), "--json",
                                            "--state-dir", b_dir, "--svg", dir.File("day.svg")});
    REQUIRE(json.code == 0);
    const auto doc = nlohmann::json::parse(json.out);
    const std::string violation =
        testing::SchemaViolation(doc, nlohmann::json::parse(kEncountersSchema));
    CHECK_MESSAGE(violation.empty(), violation);
    REQUIRE(doc["contacts"].size() == 1);
    const auto& c = doc["contacts"][0];
    CHECK(std::abs(c["start_unix"].get<int64_t>() - kStart) <= 60);
    CHECK(std::abs(c["end_unix"].get<int64_t>() - (kStart + kRunSeconds)) <= 60);
    CHECK(std::abs(c["duration_s"].get<int64_t>() - kRunSeconds) <= 60);
    CHECK(c["rpi_prefixes"].size() == 3);  // 10:08-10:10, 10:10-10:20, 10:20-10:21
    CHECK(doc["day"] == IsoDay(kStart));
    CheckNoFullRpi(json.out, a_rpis);

    // The picture: well-formed XML, one line and one set of markers per contact, no full RPI.
    const std::string svg = SlurpEncounters(dir.File("day.svg"));
    const auto xml = testing::CheckXml(svg);
    REQUIRE_MESSAGE(xml.ok, xml.error);
    CHECK(xml.elements.at("path") == 2);
    CheckNoFullRpi(svg, a_rpis);

    // With A's keys: its RPIs are one contact by its key, and the attenuation is computed
    // from the -5 dBm its metadata carries (as match scores it), not the assumed -15 dBm:
    // 10 dB more. A file that does not verify is named and skipped.
    const std::string q = "'" + dir.path().string() + "/";
    const std::string openssl = "openssl ecparam -name prime256v1 -genkey -noout -out " + q +
                                "key.pem' 2>/dev/null && openssl ec -in " + q +
                                "key.pem' -pubout -out " + q + "pub.pem' 2>/dev/null";
    REQUIRE(std::system(openssl.c_str()) == 0);
    auto exported = testing::RunJejakOn(
        clock, {"--state-dir", a_dir, "keys", "export", "--field-test", "--out", dir.File("a.zip"),
                "--signing-key", dir.File("key.pem"), "--days", "2"});
    REQUIRE_MESSAGE(exported.code == 0, exported.err);
    std::ofstream(dir.File("junk.zip")) << "not an export";
    auto keyed = testing::RunJejakOn(
        clock, {"--state-dir", b_dir, "encounters", "--day", IsoDay(kStart), "--json", "--keys",
                dir.File("a.zip"), dir.File("junk.zip"), "--pubkey", dir.File("pub.pem")});
    REQUIRE_MESSAGE(keyed.code == 0, keyed.err);
    CHECK(keyed.err.find("jejak: skipped") != std::string::npos);
    CHECK(keyed.err.find("junk.zip") != std::string::npos);
    const auto kdoc = nlohmann::json::parse(keyed.out);
    CHECK(testing::SchemaViolation(kdoc, nlohmann::json::parse(kEncountersSchema)).empty());
    CHECK(kdoc["known_keys"].get<int>() >= 1);
    REQUIRE(kdoc["contacts"].size() == 1);
    const auto& k = kdoc["contacts"][0];
    CHECK(k["link"] == "key");
    CHECK(k["tx_power_known"] == true);
    CHECK(k["tx_power_dbm"] == -5);
    CHECK(c["link"] == "rotation");
    CHECK(c["tx_power_known"] == false);
    CHECK(k["rpi_prefixes"] == c["rpi_prefixes"]);
    CHECK(k["typical_attenuation_db"].get<int>() == c["typical_attenuation_db"].get<int>() + 10);
    CHECK(k["min_attenuation_db"].get<int>() == c["min_attenuation_db"].get<int>() + 10);

    // A day with nothing: zero contacts, still a valid document.
    auto empty = testing::RunJejakOn(
        clock, {"--state-dir", b_dir, "encounters", "--day", IsoDay(kStart - 86400), "--json"});
    REQUIRE(empty.code == 0);
    CHECK(nlohmann::json::parse(empty.out)["contacts"].empty());
}

TEST_CASE("jejak encounters never joins two senders rotating in the same window") {
    // Regression: A and C rotate at the same moments (10:10, 10:20: one clock), so
    // their lines used to trade places in B's view. Every contact now holds one sender's RPIs
    // only; without keys the simultaneous hand-overs stay unjoined, and with A's keys A is
    // one contact by its key and C's hand-overs are unambiguous again: one contact each.
    testing::ScratchDir dir("cli-encounters-two");
    const std::string ether = dir.File("ether");
    const testing::LockstepClock clock(3, kStart * 1000000);
    const std::string duration = std::to_string(kRunSeconds);
    std::vector<testing::CliRun> runs(3);
    std::vector<std::thread> threads;
    const char* names[] = {"a", "c", "b"};
    const char* spots[] = {"?x=0&seed=1", "?x=2&seed=3", "?x=1&seed=2"};
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back([&, i] {
            runs[static_cast<size_t>(i)] = testing::RunJejakOn(
                clock, {"--state-dir", dir.File(names[i]), "run", "--radio",
                        "sim:" + ether + spots[i], "--duration", duration, "--scan-window", "5"});
            clock.Leave();
        });
    }
    for (std::thread& t : threads) t.join();
    for (const testing::CliRun& r : runs) REQUIRE(r.code == 0);
    std::map<std::string, char> owner;  // RPI prefix -> sender
    for (const char sender : {'a', 'c'}) {
        for (const std::string& rpi : RpisOf(dir.File(std::string(1, sender)))) {
            owner[rpi.substr(0, kRpiPrefixHexDigits)] = sender;
        }
    }
    auto senders_of = [&](const nlohmann::json& contact) {
        std::set<char> senders;
        for (const auto& prefix : contact["rpi_prefixes"]) {
            REQUIRE(owner.count(prefix.get<std::string>()) == 1);
            senders.insert(owner.at(prefix.get<std::string>()));
        }
        return senders;
    };

    auto plain = testing::RunJejakOn(
        clock, {"--state-dir", dir.File("b"), "encounters", "--day", IsoDay(kStart), "--json"});
    REQUIRE(plain.code == 0);
    const auto doc = nlohmann::json::parse(plain.out);
    CHECK(doc["contacts"].size() == 6);  // 3 RPIs each, no hand-over unambiguous
    for (const auto& c : doc["contacts"]) CHECK(senders_of(c).size() == 1);

    const std::string q = "'" + dir.path().string() + "/";
    const std::string openssl = "openssl ecparam -name prime256v1 -genkey -noout -out " + q +
                                "key.pem' 2>/dev/null && openssl ec -in " + q +
                                "key.pem' -pubout -out " + q + "pub.pem' 2>/dev/null";
    REQUIRE(std::system(openssl.c_str()) == 0);
    auto exported = testing::RunJejakOn(
        clock, {"--state-dir", dir.File("a"), "keys", "export", "--field-test", "--out",
                dir.File("a.zip"), "--signing-key", dir.File("key.pem"), "--days", "2"});
    REQUIRE_MESSAGE(exported.code == 0, exported.err);
    auto keyed = testing::RunJejakOn(
        clock, {"--state-dir", dir.File("b"), "encounters", "--day", IsoDay(kStart), "--json",
                "--keys", dir.File("a.zip"), "--pubkey", dir.File("pub.pem")});
    REQUIRE_MESSAGE(keyed.code == 0, keyed.err);
    const auto kdoc = nlohmann::json::parse(keyed.out);
    REQUIRE(kdoc["contacts"].size() == 2);
    std::set<char> seen;
    for (const auto& c : kdoc["contacts"]) {
        const std::set<char> senders = senders_of(c);
        REQUIRE(senders.size() == 1);
        seen.insert(*senders.begin());
        CHECK(c["rpi_prefixes"].size() == 3);
        CHECK(c["link"] == (*senders.begin() == 'a' ? "key" : "rotation"));
    }
    CHECK(seen.size() == 2);
}

TEST_CASE("jejak encounters: a malformed day is a usage error, a missing store exits 1") {
    testing::ScratchDir dir("cli-encounters-usage");
    for (const char* day : {"2026-13-01", "2026-02-30", "15.01.2026", "2026-1-5", "x"}) {
        auto r = testing::RunJejak({"--state-dir", dir.File("s"), "encounters", "--day", day});
        CHECK(r.code == 2);
        CHECK(r.err.rfind("jejak: ", 0) == 0);
    }
    auto none = testing::RunJejak({"--state-dir", dir.File("absent"), "encounters"});
    CHECK(none.code == 1);
}

TEST_CASE("jejak encounters --local selects a local day: a Kuala Lumpur visit stays whole") {
    // Regression: --local still selected a UTC day, so a 75-minute visit at
    // 07:30-08:45 in Kuala Lumpur (23:30-00:45 UTC) was split across two days.
    ZoneGuard zone("Asia/Kuala_Lumpur");
    testing::ScratchDir dir("cli-encounters-local");
    const int64_t visit = 1768519800;  // 2026-01-15T23:30:00Z = 2026-01-16T07:30:00+08:00
    const ManualClock clock((visit + 86400) * 1000000);
    StoreVisit(dir.File("s"), clock, visit, 75 * 60);

    auto local = testing::RunJejakOn(
        clock, {"--state-dir", dir.File("s"), "encounters", "--day", "2026-01-16", "--local",
                "--json", "--svg", dir.File("local.svg")});
    REQUIRE_MESSAGE(local.code == 0, local.err);
    const auto doc = nlohmann::json::parse(local.out);
    CHECK(doc["local_day"] == true);
    CHECK(doc["day_unix"] == 1768492800);  // 2026-01-16T00:00:00+08:00
    CHECK(doc["day_end_unix"] == 1768492800 + 86400);
    REQUIRE(doc["contacts"].size() == 1);
    CHECK(doc["contacts"][0]["duration_s"].get<int64_t>() >= 74 * 60);
    CHECK(doc["contacts"][0]["start"] == "2026-01-16T07:30:00+08:00");
    const std::string svg = SlurpEncounters(dir.File("local.svg"));
    REQUIRE(testing::CheckXml(svg).ok);
    CHECK(svg.find("All times in local time, UTC+08:00.") != std::string::npos);
    CHECK(svg.find(">1: 07:30-08:44, 75 min, closest") != std::string::npos);
    CHECK(svg.find("(UTC)") == std::string::npos);

    auto text = testing::RunJejakOn(
        clock, {"--state-dir", dir.File("s"), "encounters", "--day", "2026-01-16", "--local"});
    REQUIRE(text.code == 0);
    CHECK(text.out.rfind("encounters on 2026-01-16 (local day, UTC+08:00): 1 contact\n", 0) == 0);

    // In UTC the same visit is two pieces on two days, as it should be there.
    for (const char* day : {"2026-01-15", "2026-01-16"}) {
        auto utc = testing::RunJejakOn(
            clock, {"--state-dir", dir.File("s"), "encounters", "--day", day, "--json"});
        REQUIRE(utc.code == 0);
        const auto udoc = nlohmann::json::parse(utc.out);
        CHECK(udoc["local_day"] == false);
        REQUIRE(udoc["contacts"].size() == 1);
        CHECK(udoc["contacts"][0]["duration_s"].get<int64_t>() < 46 * 60);
    }
}

TEST_CASE("jejak encounters --svg: the default rule's range and minutes; an empty day says so") {
    testing::ScratchDir dir("cli-encounters-picture");
    const int64_t day = 1768435200;  // 2026-01-15
    const ManualClock clock((day + 86400) * 1000000);
    StoreVisit(dir.File("s"), clock, day + 9 * 3600, 20 * 60);
    auto busy = testing::RunJejakOn(clock, {"--state-dir", dir.File("s"), "encounters", "--day",
                                            "2026-01-15", "--svg", dir.File("busy.svg")});
    REQUIRE_MESSAGE(busy.code == 0, busy.err);
    const std::string svg = SlurpEncounters(dir.File("busy.svg"));
    // The default rule, read from the risk code: <= 55 dB counts, 12 minutes a UTC day.
    CHECK(svg.find("id=\"close-range\"") != std::string::npos);
    CHECK(svg.find("the default rule jejak-close-contact (about 1.5 m or closer)") !=
          std::string::npos);
    CHECK(svg.find("adds up to 12 minutes in this range") != std::string::npos);
    CHECK(svg.find("All times in UTC.") != std::string::npos);
    CHECK(svg.find("attenuation") == std::string::npos);

    auto empty = testing::RunJejakOn(clock, {"--state-dir", dir.File("s"), "encounters", "--day",
                                             "2026-01-14", "--svg", dir.File("empty.svg")});
    REQUIRE(empty.code == 0);
    CHECK(SlurpEncounters(dir.File("empty.svg")).find(">no contacts on this day<") != std::string::npos);
}

}  // namespace jejak
