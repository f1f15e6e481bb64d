// Per-scan aggregation: one sighting per RPI with first/last seen, count, RSSI min/max/mean
// and the time since the previous scan.
#include <doctest/doctest.h>

#include "storage/sighting_aggregator.h"

namespace jejak {

TEST_CASE("aggregator folds one scan's advertisements into one sighting per RPI") {
    Rpi a{}, b{};
    a[0] = 1;
    b[0] = 2;
    SightingAggregator agg;
    agg.BeginScan(1000);
    agg.Add({a, {1, 2, 3, 4}, 1290, -70});
    agg.Add({b, {9, 9, 9, 9}, 1291, -80});
    agg.Add({a, {5, 5, 5, 5}, 1293, -60});
    agg.Add({a, {5, 5, 5, 5}, 1292, -65});
    const auto out = agg.EndScan();
    REQUIRE(out.size() == 2);
    const Sighting& s = out[0];
    CHECK(s.rpi == a);
    CHECK(s.aem == Aem{1, 2, 3, 4});
    CHECK(s.first_seen_unix_s == 1290);
    CHECK(s.last_seen_unix_s == 1293);
    CHECK(s.count == 3);
    CHECK(s.min_rssi == -70);
    CHECK(s.max_rssi == -60);
    CHECK(s.mean_rssi == doctest::Approx(-65.0));
    CHECK(s.seconds_since_previous_scan == 290);
    CHECK(out[1].rpi == b);
    CHECK(out[1].count == 1);
    CHECK(CheckSighting(s).ok());
    CHECK(agg.EndScan().empty());  // reset
}

TEST_CASE("aggregator marks an unknown previous scan with -1") {
    SightingAggregator agg;
    agg.BeginScan(std::nullopt);
    agg.Add({Rpi{}, Aem{}, 50, -90});
    const auto out = agg.EndScan();
    REQUIRE(out.size() == 1);
    CHECK(out[0].seconds_since_previous_scan == -1);
}

}  // namespace jejak
