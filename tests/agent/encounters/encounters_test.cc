// Grouping sightings into contacts and drawing them: rotation linking, separate senders,
// attenuation figures, and an SVG that is well-formed XML with one path per contact.
#include <doctest/doctest.h>

#include "agent/encounters/encounters.h"
#include "platform/base/hex.h"
#include "tests/support/xml_check.h"

namespace jejak {
namespace {

constexpr int64_t kEncT0 = 1768471380;  // 2026-01-15T10:03:00Z

Sighting Row(uint8_t sender, uint8_t rotation, int64_t first, int64_t last, int rssi) {
    Sighting s;
    s.rpi.fill(0);
    s.rpi[0] = sender;
    s.rpi[1] = rotation;
    s.rpi[15] = 0xee;
    s.first_seen_unix_s = first;
    s.last_seen_unix_s = last;
    s.count = 4;
    s.min_rssi = static_cast<int8_t>(rssi - 3);
    s.max_rssi = static_cast<int8_t>(rssi + 2);
    s.mean_rssi = static_cast<float>(rssi);
    return s;
}

// One sender heard in 5 s windows from `from` to `to`, its RPI rotating every 600 s.
void Sender(std::vector<Sighting>& rows, uint8_t sender, int64_t from, int64_t to, int rssi) {
    for (int64_t t = from; t + 5 <= to; t += 5) {
        rows.push_back(Row(sender, static_cast<uint8_t>((t - from) / 600), t, t + 5, rssi));
    }
}

}  // namespace

TEST_CASE("one sender rotating its RPI every 10 minutes is one contact") {
    std::vector<Sighting> rows;
    Sender(rows, 0xa1, kEncT0, kEncT0 + 25 * 60, -60);
    const auto contacts = GroupContacts(rows, {});
    REQUIRE(contacts.size() == 1);
    const Contact& c = contacts[0];
    CHECK(c.id == 1);
    CHECK(c.start_unix_s == kEncT0);
    CHECK(c.end_unix_s == kEncT0 + 25 * 60);
    CHECK(c.DurationSeconds() == 25 * 60);
    CHECK(c.rpis.size() == 3);
    CHECK(c.sightings == rows.size());
    CHECK(c.adverts == rows.size() * 4);
    // The assumed Jejak sender: -15 - (-60) = 45 typical; the strongest reading -58 gives 43.
    CHECK(c.typical_attenuation_db == 45);
    CHECK(c.min_attenuation_db == 43);
    CHECK(c.link == ContactLink::kRotation);
    CHECK_FALSE(c.tx_power_known);
    CHECK(c.tx_power_dbm == kAssumedTxPowerDbm);
    CHECK(c.points.size() == rows.size());
    for (const RpiRun& r : c.rpis) CHECK(r.rpi_prefix.size() == kRpiPrefixHexDigits);
    CHECK(c.rpis[0].rpi_prefix == "a1000000");
}

TEST_CASE("the receiver correction and assumed TX power enter the attenuation") {
    EncounterOptions o;
    o.assumed_tx_power_dbm = -15;
    o.rssi_correction_db = 5;
    CHECK(AttenuationFromRssi(-60, o) == 40);
    CHECK(AttenuationFromRssi(-5, o) == 0);  // floored at 0
}

TEST_CASE("two senders rotating at the same moment are never joined: six segments") {
    // Regression: the signal level used to pick who continues whom, and senders
    // swapped lines. Two RPIs end and two begin at kEncT0 + 600 and + 1200: ambiguous, so every
    // RPI is its own segment, each later one naming both segments it may continue.
    std::vector<Sighting> rows;
    Sender(rows, 0xa1, kEncT0, kEncT0 + 1800, -50);
    Sender(rows, 0xb2, kEncT0, kEncT0 + 1800, -80);
    const auto contacts = GroupContacts(rows, {});
    REQUIRE(contacts.size() == 6);
    for (const Contact& c : contacts) {
        REQUIRE(c.rpis.size() == 1);
        CHECK(c.link == ContactLink::kSingle);
        CHECK(c.DurationSeconds() == 600);
        if (c.start_unix_s == kEncT0) {
            CHECK(c.may_continue.empty());
        } else {
            CHECK(c.may_continue.size() == 2);
        }
    }
}

TEST_CASE("a sender heard again after more than the link gap is a new contact") {
    std::vector<Sighting> rows;
    Sender(rows, 0xa1, kEncT0, kEncT0 + 300, -60);
    rows.push_back(Row(0xc3, 0, kEncT0 + 300 + 121, kEncT0 + 300 + 125, -60));
    rows.push_back(Row(0xd4, 0, kEncT0 + 300 + 125 + 100, kEncT0 + 300 + 125 + 110, -60));
    const auto contacts = GroupContacts(rows, {});
    REQUIRE(contacts.size() == 2);
    CHECK(contacts[0].end_unix_s == kEncT0 + 300);
    CHECK(contacts[1].start_unix_s == kEncT0 + 421);  // 121 s gap: too long
    CHECK(contacts[1].rpis.size() == 2);           // 100 s gap: linked
}

TEST_CASE("the same RPI heard twice is one contact whatever the gap; no rows, no contacts") {
    std::vector<Sighting> rows{Row(0xa1, 0, kEncT0, kEncT0 + 4, -60),
                               Row(0xa1, 0, kEncT0 + 500, kEncT0 + 504, -70)};
    const auto contacts = GroupContacts(rows, {});
    REQUIRE(contacts.size() == 1);
    CHECK(contacts[0].DurationSeconds() == 504);
    CHECK(contacts[0].rpis.size() == 1);
    CHECK(GroupContacts({}, {}).empty());
}

TEST_CASE("the SVG is well-formed XML with one line and one marker path per contact") {
    std::vector<Sighting> rows;
    Sender(rows, 0xa1, kEncT0, kEncT0 + 1200, -55);
    Sender(rows, 0xb2, kEncT0 + 2000, kEncT0 + 2600, -75);
    rows.push_back(Row(0xc3, 0, kEncT0 + 4000, kEncT0 + 4004, -90));  // a lone point
    const auto contacts = GroupContacts(rows, {});
    REQUIRE(contacts.size() == 3);
    SvgOptions o;
    o.title = "day <1> & \"more\"";
    o.local_time = false;
    const std::string svg = RenderAttenuationSvg(contacts, o);
    const auto xml = testing::CheckXml(svg);
    REQUIRE_MESSAGE(xml.ok, xml.error);
    CHECK(xml.elements.at("svg") == 1);
    CHECK(xml.elements.at("path") == 2 * 3);
    int lines = 0;
    for (const auto& path : xml.paths) {
        if (path.at("class") != "contact") continue;
        ++lines;
        CHECK(path.at("id") == "contact-" + std::to_string(lines));
    }
    CHECK(lines == 3);
    CHECK(svg.find("day &lt;1&gt; &amp; &quot;more&quot;") != std::string::npos);
    CHECK(svg.find("time (UTC)") != std::string::npos);
    CHECK(svg.find(">10:00<") != std::string::npos);  // hour ticks in HH:MM
    // No RPI appears beyond its prefix.
    CHECK(svg.find(HexEncode(rows[0].rpi)) == std::string::npos);

    const auto empty = testing::CheckXml(RenderAttenuationSvg({}, o));
    REQUIRE(empty.ok);
    CHECK(empty.elements.count("path") == 0);
}

TEST_CASE("the XML checker rejects what a broken renderer might emit") {
    CHECK_FALSE(testing::CheckXml("<svg><path></svg>").ok);
    CHECK_FALSE(testing::CheckXml("<svg a=\"1\" a=\"2\"/>").ok);
    CHECK_FALSE(testing::CheckXml("<svg>&bogus;</svg>").ok);
    CHECK_FALSE(testing::CheckXml("<svg a=\"<\"/>").ok);
    CHECK_FALSE(testing::CheckXml("<svg/><svg/>").ok);
    CHECK(testing::CheckXml("<?xml version=\"1.0\"?>\n<svg a='x'>&amp;&#x3c;</svg>\n").ok);
}

}  // namespace jejak
