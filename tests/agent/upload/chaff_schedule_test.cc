// The chaff schedule: delays drawn from the RNG stay within their bounds and average the
// stated mean; the due/not-due/redraw decision; the due-time file round-trips and a
// damaged one is reported, not trusted.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

#include "agent/upload/chaff_schedule.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

// Every byte the same value: the extremes of the uniform draw.
class ConstantRandom final : public RandomSource {
public:
    explicit ConstantRandom(uint8_t value) : value_(value) {}
    void Fill(std::span<uint8_t> out) override { std::fill(out.begin(), out.end(), value_); }

private:
    uint8_t value_;
};

}  // namespace

TEST_CASE("chaff delays stay within their bounds and average the stated mean") {
    ConstantRandom ones(0xff), zeros(0x00);
    CHECK(DrawChaffDelay(ones) == kChaffMinDelayS);   // u = 1: no delay, clamped up
    CHECK(DrawChaffDelay(zeros) == kChaffMaxDelayS);  // u = 2^-53: 36.7 means, clamped down
    REQUIRE(SystemRandom::Init().ok());
    SystemRandom random;
    constexpr int kDraws = 20000;
    double sum = 0;
    int64_t lo = kChaffMaxDelayS, hi = 0;
    for (int i = 0; i < kDraws; ++i) {
        const int64_t d = DrawChaffDelay(random);
        REQUIRE(d >= kChaffMinDelayS);
        REQUIRE(d <= kChaffMaxDelayS);
        sum += static_cast<double>(d);
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    // Exponential, mean 3 days: the clamps move the mean by well under 1 %, and the mean of
    // 20000 draws has a standard error of 0.7 %; 5 % is seven of those.
    const double mean = sum / kDraws;
    CHECK(mean > 0.95 * kChaffMeanDelayS);
    CHECK(mean < 1.05 * kChaffMeanDelayS);
    CHECK(lo < 6 * 3600);   // P(no draw under 6 h) = (1 - 0.08)^20000
    CHECK(hi > 9 * 86400);  // P(no draw over 9 days) = (1 - e^-3)^20000
}

TEST_CASE("chaff is sent when due, waits when not, and is redrawn without a usable due time") {
    constexpr int64_t now = 1800000000;
    const auto plan = [](std::optional<int64_t> due, int64_t at) {
        const ChaffStep s = PlanChaff(due, at);
        return std::make_pair(s.send, s.schedule);
    };
    CHECK(plan(std::nullopt, now) == std::make_pair(false, true));  // first run: draw only
    CHECK(plan(now + 1, now) == std::make_pair(false, false));      // not due
    CHECK(plan(now, now) == std::make_pair(true, true));            // due
    CHECK(plan(now - 86400, now) == std::make_pair(true, true));    // overdue (was offline)
    CHECK(plan(now + kChaffMaxDelayS, now) == std::make_pair(false, false));
    CHECK(plan(now + kChaffMaxDelayS + 1, now) == std::make_pair(false, true));  // clock set back
}

TEST_CASE("the chaff due time round-trips; a missing file is none, a damaged one an error") {
    testing::ScratchDir dir("chaff-schedule");
    const std::string path = dir.File("chaff-schedule.json");
    auto none = LoadChaffDue(path);
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
    REQUIRE(SaveChaffDue(path, 1800000123).ok());
    auto back = LoadChaffDue(path);
    REQUIRE(back.ok());
    CHECK(back->value() == 1800000123);
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    for (const char* bad : {"", "{", "[]", "{\"next_due_unix\": \"soon\"}",
                            "{\"next_due_unix\": -5}", "{\"other\": 1}"}) {
        CAPTURE(bad);
        std::ofstream(path, std::ios::trunc) << bad;
        auto damaged = LoadChaffDue(path);
        REQUIRE_FALSE(damaged.ok());
        CHECK(damaged.status().IsCorruption());
    }
}

}  // namespace jejak
