// The exposure ledger, pure parts and its records in a store: exposures found by different
// checks add up to the verdict of one check; a key or window found again counts once; a
// revocation or report-type change seen later re-types a held key; notified days are
// notified once, stand until retracted, and a retraction needs the whole ledger; record
// payloads round-trip and malformed ones are rejected, never thrown on.
#include <doctest/doctest.h>

#include "agent/check/exposure_ledger.h"
#include "agent/check/exposure_ledger_codec.h"
#include "platform/base/clock.h"
#include "storage/memory_store.h"

namespace jejak {
namespace {

constexpr uint32_t kDay = 20500;
constexpr int64_t kDayStart = int64_t{kDay} * 86400;

Tek KeyOf(uint8_t seed) {
    Tek k;
    for (size_t i = 0; i < Tek::kSize; ++i) k.mutable_bytes()[i] = static_cast<uint8_t>(seed + i);
    return k;
}

// `minutes` one-minute scans at 40 dB ("near" in enx-sample: x1.0) from `start`.
ExposureWindow Window(int64_t start, int minutes, ReportType type = ReportType::kConfirmedTest) {
    ExposureWindow w;
    w.start = start;
    w.day = UtcDayOfUnixSeconds(start);
    w.report_type = type;
    for (int m = 0; m < minutes; ++m) w.scans.push_back({40, 38, 60, start + 60 * m});
    return w;
}

KeyExposure Exposure(const Tek& key, std::vector<ExposureWindow> windows,
                     ReportType type = ReportType::kConfirmedTest) {
    KeyExposure e;
    e.key = key;
    e.report_type = type;
    for (ExposureWindow& w : windows) w.report_type = type;
    e.windows = std::move(windows);
    return e;
}

RiskConfig Rule() {
    auto c = RiskPreset("enx-sample");  // 2700 weighted seconds of CONFIRMED_TEST notify
    REQUIRE(c.ok());
    return *c;
}

std::vector<DailySummary> Summaries(const ExposureLedger& ledger, uint32_t today = kDay + 1) {
    const auto windows = LedgerWindows(ledger);
    return ComputeDailySummaries(windows, Rule(), today);
}

}  // namespace

TEST_CASE("exposures found by two checks add up to the verdict of one check") {
    const Tek s1 = KeyOf(1), s2 = KeyOf(50);
    const KeyExposure e1 = Exposure(s1, {Window(kDayStart + 36000, 30)});
    const KeyExposure e2 = Exposure(s2, {Window(kDayStart + 43200, 30)});

    const LedgerMerge first = MergeIntoLedger({}, {&e1, 1}, {}, {1, kDayStart + 86400});
    CHECK(first.changed.size() == 1);
    auto one = Summaries(first.ledger);
    REQUIRE(one.size() == 1);
    CHECK(one[0].total.score_sum == doctest::Approx(1800));
    CHECK_FALSE(Classify(one, Rule()).notify);

    const LedgerMerge second = MergeIntoLedger(first.ledger, {&e2, 1}, {}, {2, kDayStart + 90000});
    CHECK(second.changed.size() == 1);
    auto two = Summaries(second.ledger);
    REQUIRE(two.size() == 1);
    CHECK(two[0].total.score_sum == doctest::Approx(3600));
    CHECK(Classify(two, Rule()).notify);

    const std::vector<KeyExposure> both = {e1, e2};
    const LedgerMerge together = MergeIntoLedger({}, both, {}, {1, kDayStart + 86400});
    auto all = Summaries(together.ledger);
    REQUIRE(all.size() == 1);
    CHECK(all[0].total.score_sum == two[0].total.score_sum);
    CHECK(all[0].total.weighted_duration_sum == two[0].total.weighted_duration_sum);
    CHECK(all[0].windows == two[0].windows);

    // Each day names the checks whose windows it counts.
    std::vector<CheckRef> found_by;
    const auto windows = LedgerWindows(second.ledger, &found_by);
    const auto checks = ContributingChecks(two, windows, found_by, Rule(), kDay + 1);
    REQUIRE(checks.size() == 1);
    CHECK(checks[0] == std::vector<CheckRef>{{1, kDayStart + 86400}, {2, kDayStart + 90000}});
}

TEST_CASE("the same key or window matched again is counted once and changes nothing") {
    const KeyExposure e = Exposure(KeyOf(1), {Window(kDayStart + 36000, 30)});
    const LedgerMerge first = MergeIntoLedger({}, {&e, 1}, {}, {1, kDayStart + 86400});
    const LedgerMerge again = MergeIntoLedger(first.ledger, {&e, 1}, {}, {2, kDayStart + 90000});
    CHECK(again.changed.empty());
    REQUIRE(again.ledger.key_days.size() == 1);
    REQUIRE(again.ledger.key_days[0].windows.size() == 1);
    CHECK(again.ledger.key_days[0].windows[0].found_by.check == 1);  // the first finder stays
    CHECK(Summaries(again.ledger)[0].total.score_sum == doctest::Approx(1800));

    // Found again with one more window (sightings flushed since): united by start.
    const KeyExposure more =
        Exposure(KeyOf(1), {Window(kDayStart + 36000, 30), Window(kDayStart + 37800, 10)});
    const LedgerMerge grown = MergeIntoLedger(first.ledger, {&more, 1}, {}, {3, kDayStart + 95000});
    REQUIRE(grown.changed.size() == 1);
    REQUIRE(grown.ledger.key_days[0].windows.size() == 2);
    CHECK(grown.ledger.key_days[0].windows[0].found_by.check == 1);
    CHECK(grown.ledger.key_days[0].windows[1].found_by.check == 3);
    CHECK(Summaries(grown.ledger)[0].total.score_sum == doctest::Approx(2400));
}

TEST_CASE("a revocation or report-type change seen later re-types a held key") {
    const Tek key = KeyOf(7);
    const KeyExposure self =
        Exposure(key, {Window(kDayStart + 36000, 30)}, ReportType::kSelfReport);
    const LedgerMerge held = MergeIntoLedger({}, {&self, 1}, {}, {1, kDayStart + 86400});
    REQUIRE(held.ledger.key_days.size() == 1);
    CHECK(held.ledger.key_days[0].report_type == ReportType::kSelfReport);

    // SELF_REPORT -> CONFIRMED_TEST is a valid transition; back is not.
    const KeyExposure confirmed = Exposure(key, {Window(kDayStart + 36000, 30)});
    const LedgerMerge up =
        MergeIntoLedger(held.ledger, {&confirmed, 1}, {}, {2, kDayStart + 90000});
    CHECK(up.changed.size() == 1);
    CHECK(up.ledger.key_days[0].report_type == ReportType::kConfirmedTest);
    CHECK(up.ledger.key_days[0].windows[0].window.report_type == ReportType::kConfirmedTest);
    const LedgerMerge down = MergeIntoLedger(up.ledger, {&self, 1}, {}, {3, kDayStart + 95000});
    CHECK(down.changed.empty());
    CHECK(down.ledger.key_days[0].report_type == ReportType::kConfirmedTest);

    // A revocation (no windows of its own) re-types the held key; scoring drops it.
    const LedgerMerge revoked = MergeIntoLedger(up.ledger, {}, {&key, 1}, {4, kDayStart + 99000});
    CHECK(revoked.changed.size() == 1);
    REQUIRE(revoked.newly_revoked.size() == 1);
    CHECK(revoked.ledger.key_days[0].report_type == ReportType::kRevoked);
    CHECK(Summaries(revoked.ledger).empty());
    // REVOKED is final, and a revoked key's own exposure is not added afresh.
    const LedgerMerge after =
        MergeIntoLedger(revoked.ledger, {&confirmed, 1}, {&key, 1}, {5, kDayStart + 99500});
    CHECK(after.changed.empty());
    CHECK(after.newly_revoked.empty());
    const KeyExposure gone = Exposure(KeyOf(9), {Window(kDayStart, 5)}, ReportType::kRevoked);
    CHECK(MergeIntoLedger({}, {&gone, 1}, {}, {1, kDayStart}).ledger.key_days.empty());
}

TEST_CASE("notified days: notified once, standing until retracted with the whole ledger") {
    const RiskConfig rule = Rule();
    const std::vector<ExposureWindow> windows = {Window(kDayStart + 36000, 30),
                                                 Window(kDayStart + 43200, 30)};
    const auto above = ComputeDailySummaries(windows, rule, kDay + 1);
    const NotificationUpdate first = UpdateNotifiedDays({}, above, above, rule, 1000, true);
    CHECK(first.newly_notified == std::vector<uint32_t>{kDay});
    REQUIRE(first.records.size() == 1);
    REQUIRE(first.standing.size() == 1);
    CHECK(first.standing[0].first_notified_unix == 1000);
    CHECK(first.standing[0].score_sum == doctest::Approx(3600));

    // The same verdict later: nothing new, nothing to write.
    const NotificationUpdate same =
        UpdateNotifiedDays(first.standing, above, above, rule, 2000, true);
    CHECK(same.newly_notified.empty());
    CHECK(same.records.empty());
    REQUIRE(same.standing.size() == 1);
    CHECK(same.standing[0].first_notified_unix == 1000);

    // Aged out of the days-since-exposure limit but still retained: still standing.
    const NotificationUpdate aged = UpdateNotifiedDays(first.standing, {}, above, rule, 3000, true);
    CHECK(aged.retracted.empty());
    CHECK(aged.standing.size() == 1);

    // Below the threshold even without the age limit (a revocation): retracted, unless part
    // of the ledger could not be read.
    const auto below = ComputeDailySummaries({&windows[0], 1}, rule, kDay + 1);
    const NotificationUpdate unsure =
        UpdateNotifiedDays(first.standing, below, below, rule, 4000, false);
    CHECK(unsure.retracted.empty());
    CHECK(unsure.standing.size() == 1);
    const NotificationUpdate retracted =
        UpdateNotifiedDays(first.standing, below, below, rule, 4000, true);
    CHECK(retracted.retracted == std::vector<uint32_t>{kDay});
    CHECK(retracted.standing.empty());
    REQUIRE(retracted.records.size() == 1);
    CHECK(retracted.records[0].retracted_unix == 4000);

    // Notified again after a retraction: a new notification.
    const NotificationUpdate renewed =
        UpdateNotifiedDays(retracted.records, above, above, rule, 5000, true);
    CHECK(renewed.newly_notified == std::vector<uint32_t>{kDay});
    CHECK(renewed.standing[0].first_notified_unix == 5000);
}

TEST_CASE("ledger records round-trip through a store; the newest record supersedes") {
    ManualClock clock((kDayStart + 90000) * int64_t{1000000});
    auto store = MemoryStore::Open(clock, {});
    REQUIRE(store.ok());
    const KeyExposure e =
        Exposure(KeyOf(3), {Window(kDayStart + 36000, 30)}, ReportType::kSelfReport);
    const LedgerMerge first = MergeIntoLedger({}, {&e, 1}, {}, {1, kDayStart + 86400});
    NotifiedDay day{kDay, kDayStart + 86400, 1800, 1800, 0};
    REQUIRE(AppendLedger(**store, first.changed, {&day, 1}).ok());
    const Tek key = KeyOf(3);
    const LedgerMerge revoked =
        MergeIntoLedger(first.ledger, {}, {&key, 1}, {2, kDayStart + 88000});
    day.retracted_unix = kDayStart + 88000;
    REQUIRE(AppendLedger(**store, revoked.changed, {&day, 1}).ok());

    ReadReport report;
    auto loaded = LoadExposureLedger(**store, &report);
    REQUIRE(loaded.ok());
    CHECK(report.clean());
    CHECK(report.rows_ok == 4);
    REQUIRE(loaded->key_days.size() == 1);
    CHECK(loaded->key_days[0].report_type == ReportType::kRevoked);
    CHECK(loaded->key_days[0].key == LedgerKeyIdOf(key));
    REQUIRE(loaded->key_days[0].windows.size() == 1);
    CHECK(loaded->key_days[0].windows[0].window.scans.size() == 30);
    CHECK(EncodeLedgerKeyDay(loaded->key_days[0]) ==
          EncodeLedgerKeyDay(revoked.ledger.key_days[0]));
    REQUIRE(loaded->days.size() == 1);
    CHECK_FALSE(loaded->days[0].standing());

    // A record that does not decode is reported and skipped.
    REQUIRE(
        (*store)->AddLedgerRecords(std::vector<LedgerRecord>{{kDay, "{\"kind\":\"nope\"}"}}).ok());
    loaded = LoadExposureLedger(**store, &report);
    REQUIRE(loaded.ok());
    CHECK(report.problems.size() == 1);
    CHECK(loaded->key_days.size() == 1);
}

TEST_CASE("ledger payloads: must-reject malformed records, never throw") {
    const KeyExposure e = Exposure(KeyOf(4), {Window(kDayStart + 600, 3)});
    const LedgerMerge m = MergeIntoLedger({}, {&e, 1}, {}, {1, kDayStart + 86400});
    const std::string good = EncodeLedgerKeyDay(m.ledger.key_days[0]);
    REQUIRE(DecodeLedgerEntry(good, kDay).ok());
    CHECK(DecodeLedgerEntry(good, kDay + 1).status().IsCorruption());  // window of another day
    const std::string notified = EncodeNotifiedDay({kDay, 5, 1.5, 2.5, 0});
    auto nd = DecodeLedgerEntry(notified, kDay);
    REQUIRE(nd.ok());
    CHECK(std::get<NotifiedDay>(*nd).weighted_duration_sum == 2.5);

    auto replace = [](std::string s, const std::string& from, const std::string& to) {
        const size_t at = s.find(from);
        REQUIRE(at != std::string::npos);
        return s.replace(at, from.size(), to);
    };
    const std::vector<std::string> bad = {
        "",
        "null",
        "[]",
        "{",
        "{\"kind\":1}",
        "{\"kind\":\"key_day\"}",
        replace(good, "\"report_type\":1", "\"report_type\":9"),
        replace(good, "\"report_type\":1", "\"report_type\":\"1\""),
        replace(good, "\"infectiousness\":1", "\"infectiousness\":-1"),
        replace(good, "\"check\":1", "\"check\":0"),
        replace(good, "[40,38,60,", "[40,38,"),
        replace(good, "[40,38,60,", "[40,38,-60,"),
        replace(good, "\"key_id\":\"", "\"key_id\":\"zz"),
        replace(notified, "\"score_sum\":1.5", "\"score_sum\":-1"),
        replace(notified, "\"first_notified_unix\":5", "\"first_notified_unix\":0"),
    };
    for (const std::string& payload : bad) {
        CAPTURE(payload);
        CHECK(DecodeLedgerEntry(payload, kDay).status().IsCorruption());
    }
}

}  // namespace jejak
