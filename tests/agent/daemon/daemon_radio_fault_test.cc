// The daemon when its radio fails under it (a hung controller whose commands time out, one
// that reset or disappeared): it keeps running, keys and intervals move on, it says why it
// is off air, retries with backoff on its own clock (few calls, no busy loop), and once the
// radio answers again it is back on air with address and RPI still changing together, and
// scanning again. A simulated ether and ManualClock; the failing radio wraps a SimRadio.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

#include "agent/daemon/daemon.h"
#include "platform/base/hex.h"
#include "platform/sim/sim_radio.h"
#include "storage/memory_store.h"
#include "tests/support/export_builders.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

constexpr int64_t kFaultSecond = 1'000'000;
// 2026-11-27 10:05:00 UTC: five minutes into an interval.
constexpr int64_t kStartMicros = int64_t{1'795'773'900} * kFaultSecond;

class StepRandom final : public RandomSource {
public:
    explicit StepRandom(uint32_t seed) : next_(seed) {}
    void Fill(std::span<uint8_t> out) override {
        for (uint8_t& b : out) b = static_cast<uint8_t>((next_ = next_ * 1103515245u + 12345u) >> 16);
    }

private:
    uint32_t next_;
};

// A radio whose controller can stop answering: while down, every command fails with a
// timeout (as HciRadio reports a command that never completes) and nothing is on air.
class FailingRadio final : public Radio {
public:
    explicit FailingRadio(std::unique_ptr<SimRadio> inner) : inner_(std::move(inner)) {}

    void GoDown() {
        down_ = true;
        (void)inner_->StopAdvertising();
        (void)inner_->StopScanning();
    }
    void ComeBack() { down_ = false; }
    int calls_while_down() const { return calls_while_down_; }

    Status StartAdvertising(const AdvertisingSet& set, const AdvertisingParams& params) override {
        if (Status s = Down("start advertising"); !s.ok()) return s;
        return inner_->StartAdvertising(set, params);
    }
    Status Rotate(const AdvertisingSet& set) override {
        if (Status s = Down("rotate advertising"); !s.ok()) return s;
        return inner_->Rotate(set);
    }
    Status StopAdvertising() override {
        if (down_) {
            ++calls_while_down_;
            return Status::Ok();  // nothing on air: what was asked
        }
        return inner_->StopAdvertising();
    }
    Status StartScanning(const ScanParams& params, AdvertCallback cb) override {
        if (Status s = Down("start scanning"); !s.ok()) return s;
        return inner_->StartScanning(params, std::move(cb));
    }
    Status StopScanning() override {
        if (down_) {
            ++calls_while_down_;
            return Status::Ok();
        }
        return inner_->StopScanning();
    }
    RadioStatus GetStatus() const override { return inner_->GetStatus(); }
    Result<size_t> Poll() override { return inner_->Poll(); }

private:
    Status Down(const std::string& what) {
        if (!down_) return Status::Ok();
        ++calls_while_down_;
        return Status::Timeout(what + ": HCI command 0x2005 not completed in 2000 ms");
    }

    std::unique_ptr<SimRadio> inner_;
    bool down_ = false;
    int calls_while_down_ = 0;
};

TEST_CASE("daemon whose controller stops answering stays up, backs off, and comes back rotating address and RPI together") {
    testing::ScratchDir ether("daemon-radio-fault");
    ManualClock clock(kStartMicros);
    FailingRadio radio_a(testing::OpenSimAt(ether.path().string(), 0.0, 31, clock));
    auto radio_b = testing::OpenSimAt(ether.path().string(), 1.0, 32, clock);
    auto observer = testing::OpenSimAt(ether.path().string(), 0.5, 33, clock);
    auto store_a = MemoryStore::Open(clock, StoreOptions{});
    auto store_b = MemoryStore::Open(clock, StoreOptions{});
    REQUIRE(store_a.ok());
    REQUIRE(store_b.ok());
    StepRandom random_a(1), random_b(2);
    std::ostringstream log_a, log_b;
    Daemon a(radio_a, clock, **store_a, random_a, DaemonOptions{}, log_a);
    Daemon b(*radio_b, clock, **store_b, random_b, DaemonOptions{}, log_b);

    // What the observer hears of A (A's adverts only: B is 1 m the other way, filter by the
    // addresses A put on air).
    std::map<std::string, std::set<std::string>> payloads_by_address, addresses_by_payload;
    std::set<std::string> a_addresses;
    int64_t last_heard_a_us = 0;
    REQUIRE(observer->StartScanning(ScanParams{}, [&](const ReceivedAdvert& ad) {
        const std::string address = HexEncode(ad.address.bytes);
        if (a_addresses.count(address) == 0) return;
        const std::string payload = HexEncode(ad.payload);
        payloads_by_address[address].insert(payload);
        addresses_by_payload[payload].insert(address);
        last_heard_a_us = ad.unix_micros;
    }).ok());

    auto run = [&](int seconds) {
        for (int t = 0; t < seconds; ++t) {
            clock.Advance(kFaultSecond);
            a_addresses.insert(HexEncode(a.CurrentAdvertisingSet().address.bytes));
            REQUIRE(radio_a.Poll().ok());
            REQUIRE(radio_b->Poll().ok());
            REQUIRE(observer->Poll().ok());
            Status ta = a.Tick();
            CAPTURE(ta.ToString());
            REQUIRE(ta.ok());
            REQUIRE(b.Tick().ok());
        }
    };

    REQUIRE(a.Start().ok());
    REQUIRE(b.Start().ok());
    run(60);  // 10:06:00
    CHECK(last_heard_a_us > 0);

    radio_a.GoDown();
    const int64_t down_at_us = clock.NowUnixMicros();
    run(600);  // to 10:16:00: the 10:10 rotation fails, then retries with backoff
    const DaemonSnapshot down = a.Snapshot();
    CHECK(down.running);
    CHECK(down.radio_fault.find("not completed") != std::string::npos);
    CHECK(down.radio_fault_since_unix_s == 1'795'774'200);  // 10:10:00
    CHECK(down.counters.radio_failures >= 5);
    // Backoff from 2 s doubling to 64 s over 360 s: about ten attempts (two calls each), not
    // one per tick.
    CHECK(radio_a.calls_while_down() <= 30);
    CHECK(radio_a.calls_while_down() >= 10);
    CHECK(last_heard_a_us < down_at_us + kFaultSecond);
    const std::string log = log_a.str();
    CHECK(log.find("radio: ") != std::string::npos);
    CHECK(log.find("off air") == log.rfind("off air"));  // one line, not one per retry

    radio_a.ComeBack();
    run(70);  // back within the 64-s backoff
    const DaemonSnapshot up = a.Snapshot();
    CHECK(up.radio_fault.empty());
    CHECK(up.counters.radio_recoveries == 1);
    CHECK(last_heard_a_us > down_at_us + 600 * kFaultSecond);
    CHECK(log_a.str().find("radio: back on air") != std::string::npos);
    run(300);  // across 10:20: a normal rotation after the recovery
    REQUIRE(a.Stop().ok());
    REQUIRE(b.Stop().ok());

    // On air: 10:00's set before the fault, 10:10's after the recovery, 10:20's after that.
    // Each address only ever with one payload, each payload with one address.
    CHECK(payloads_by_address.size() == 3);
    CHECK(addresses_by_payload.size() == 3);
    for (const auto& [address, payloads] : payloads_by_address) CHECK(payloads.size() == 1);
    for (const auto& [payload, addresses] : addresses_by_payload) CHECK(addresses.size() == 1);
    // Scanning came back too: A stored sightings of B heard after the recovery.
    int64_t latest = 0;
    REQUIRE((*store_a)->Flush().ok());
    REQUIRE((*store_a)->ForEachSighting(DayRange::All(), [&](const Sighting& s) {
        latest = std::max(latest, s.last_seen_unix_s);
    }).ok());
    CHECK(latest * kFaultSecond > down_at_us + 700 * kFaultSecond);
}

}  // namespace
}  // namespace jejak
