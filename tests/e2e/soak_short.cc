// The shortened soak: a venue box among 20 visitors for 3 simulated days with a one-day
// retention (so the retention fills on day 1, expires a day from day 2 and the store's bound
// is judged on day 3), its daily check fetching and matching the visitor published on day 1.
// The same run and criteria as `jejak-bench soak --days 30 --devices 200` (soak_run.h):
// errors 0, RSS and fds of day 3 within 5 % of day 2, store bytes not above day 2's, no
// sighting row older than the retention in the database file and the retention exact.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "tests/support/soak_run.h"

namespace jejak::bench {
namespace {

// AddressSanitizer's quarantine holds freed memory by design: RSS is not judged under it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kJudgeRss = false;
#else
constexpr bool kJudgeRss = true;
#endif

std::string Lines(const std::vector<std::string>& lines) {
    std::string all;
    for (const std::string& l : lines) all += l + "\n";
    return all;
}

TEST_CASE("a venue box over 3 simulated days among 20 visitors stays flat and keeps the retention exactly") {
    SoakOptions o;
    o.days = 3;
    o.devices = 20;
    o.retention_days = 1;
    std::ostringstream out;
    Result<SoakResult> r = RunSoak(o, out);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    INFO(out.str());
    REQUIRE(r->days.size() == 3u);
    CHECK(r->weekly_reports == 1u);
    const std::vector<std::string> fails = SoakCriteriaNotMet(*r, kJudgeRss);
    CHECK_MESSAGE(fails.empty(), Lines(fails));
    for (const SoakDay& d : r->days) {
        CHECK(d.oldest_day_held == d.oldest_day_allowed);  // one day kept: today's
        CHECK(d.sightings_kept > 0);
    }
    CHECK(r->days[0].keys_matched > 0u);  // the visitor published on day 1 was at the venue
    CHECK(out.str().find("day 3: rss_kib=") != std::string::npos);
}

// The criteria themselves: a run that grows, leaks a descriptor, outgrows its retention or
// keeps an expired day is judged not flat, each for its own reason.
SoakResult FlatRun() {
    SoakResult r;
    r.options.days = 4;
    r.options.devices = 2;
    r.options.retention_days = 2;
    r.weekly_reports = 1;
    for (int d = 1; d <= 4; ++d) {
        SoakDay day;
        day.day = d;
        day.rss_kib = 10000;
        day.fds = 12;
        day.store_bytes = d == 1 ? 50000 : 100000;
        day.sightings_kept = 100;
        day.oldest_day_allowed = 20000 + d - 2 + 1;
        day.oldest_day_held = d == 1 ? 20000 : day.oldest_day_allowed;
        day.keys_matched = d == 1 ? 3 : 0;
        r.days.push_back(day);
    }
    return r;
}

TEST_CASE("soak criteria: a flat run passes and each kind of growth or leak fails on its own") {
    CHECK(SoakCriteriaNotMet(FlatRun()).empty());
    auto one = [](SoakResult r, const char* starts) {
        const std::vector<std::string> fails = SoakCriteriaNotMet(r);
        REQUIRE_MESSAGE(fails.size() == 1u, Lines(fails));
        CHECK(fails[0].rfind(starts, 0) == 0);
    };
    SoakResult rss = FlatRun();
    rss.days[3].rss_kib = 10600;  // 6 % over day 2
    one(rss, "rss:");
    SoakResult fds = FlatRun();
    fds.days[3].fds = 13;
    one(fds, "fds:");
    SoakResult store = FlatRun();
    store.days[3].store_bytes = 106000;  // 6 % over day 3 (the retention full)
    one(store, "store:");
    SoakResult expired = FlatRun();
    expired.days[2].oldest_day_held = expired.days[2].oldest_day_allowed - 1;
    CHECK(SoakCriteriaNotMet(expired).size() == 2u);  // older than allowed, and not exact
    SoakResult errors = FlatRun();
    errors.days[3].errors = 1;
    one(errors, "errors:");
    SoakResult unmatched = FlatRun();
    unmatched.days[0].keys_matched = 0;
    one(unmatched, "the daily checks never matched");
    SoakResult short_run = FlatRun();
    short_run.days.pop_back();
    one(short_run, "too few days");
    // RSS left out under a sanitizer, the rest still judged.
    CHECK(SoakCriteriaNotMet(rss, /*judge_rss=*/false).empty());
}

}  // namespace
}  // namespace jejak::bench
