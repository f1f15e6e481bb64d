// Radio spec strings: every accepted form parses to the right fields; malformed specs are
// InvalidArgument with a message naming the problem.
#include "platform/radio_spec/radio_spec.h"

#include <doctest/doctest.h>

namespace jejak {
namespace {

TEST_CASE("radio spec parses a kernel HCI device") {
    auto spec = ParseRadioSpec("hci3");
    REQUIRE(spec.ok());
    CHECK(spec->kind == RadioKind::kKernelSocket);
    CHECK(spec->hci_index == 3);
}

TEST_CASE("radio spec parses a uart with and without baud and flow options") {
    auto plain = ParseRadioSpec("uart:/dev/ttyACM0");
    REQUIRE(plain.ok());
    CHECK(plain->kind == RadioKind::kUart);
    CHECK(plain->path == "/dev/ttyACM0");
    CHECK(plain->baud == 1000000);
    CHECK(plain->flow_control);
    auto full = ParseRadioSpec("uart:/dev/serial1@115200,noflow");
    REQUIRE(full.ok());
    CHECK(full->path == "/dev/serial1");
    CHECK(full->baud == 115200);
    CHECK_FALSE(full->flow_control);
}

TEST_CASE("radio spec parses a unix socket") {
    auto spec = ParseRadioSpec("unix:/tmp/bt-server-le");
    REQUIRE(spec.ok());
    CHECK(spec->kind == RadioKind::kUnixSocket);
    CHECK(spec->path == "/tmp/bt-server-le");
}

TEST_CASE("radio spec parses a simulated radio with its placement and channel model") {
    auto spec = ParseRadioSpec("sim:/tmp/ether?x=1.5&y=-2&z=0.5&tx=-20&seed=7&loss=0.25"
                               "&noise=3&exponent=2.5&floor=-90");
    REQUIRE(spec.ok());
    CHECK(spec->kind == RadioKind::kSim);
    CHECK(spec->sim.ether_dir == "/tmp/ether");
    CHECK(spec->sim.x_m == 1.5);
    CHECK(spec->sim.y_m == -2.0);
    CHECK(spec->sim.z_m == 0.5);
    CHECK(spec->sim.tx_power_dbm == -20);
    CHECK(spec->sim.seed == 7);
    CHECK(spec->sim.loss == 0.25);
    CHECK(spec->sim.noise_db == 3.0);
    CHECK(spec->sim.exponent == 2.5);
    CHECK(spec->sim.floor_dbm == -90);
    auto bare = ParseRadioSpec("sim:/tmp/ether");
    REQUIRE(bare.ok());
    CHECK(bare->sim.tx_power_dbm == -15);
}

TEST_CASE("radio spec rejects malformed strings with a clear message") {
    const char* bad[] = {
        "",          "hci",           "hcix",          "hci-1",         "bluetooth",
        "uart:",     "uart:ttyACM0",  "uart:/dev/x@",  "uart:/dev/x@9", "uart:/dev/x,rts",
        "unix:",     "sim:",          "sim:/e?x",      "sim:/e?x=abc",  "sim:/e?tx=99",
        "sim:/e?loss=2", "sim:/e?colour=red", "sim:/e?x=nan", "sim:/e?seed=-1",
    };
    for (const char* text : bad) {
        CAPTURE(text);
        auto spec = ParseRadioSpec(text);
        REQUIRE_FALSE(spec.ok());
        CHECK(spec.status().IsInvalidArgument());
        CHECK(spec.status().message().find("radio spec") != std::string::npos);
    }
}

TEST_CASE("opening a malformed spec fails before touching any device") {
    ManualClock clock;
    auto radio = OpenRadio("nonsense", clock);
    REQUIRE_FALSE(radio.ok());
    CHECK(radio.status().IsInvalidArgument());
}

}  // namespace
}  // namespace jejak
