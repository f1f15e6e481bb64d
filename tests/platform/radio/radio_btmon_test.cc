// Independent decoder check: a btsnoop file written by HciRadio's --hci-log transport is read
// by BlueZ's btmon (`TZ=UTC btmon -P -c never -T -r FILE`), which must show every packet
// including the advertised 0xFD6F service data and a controller's Command Disallowed answer.
// Fails (does not skip) when btmon is missing.
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "platform/codec/btsnoop.h"
#include "platform/codec/gaen_advert.h"
#include "platform/radio/hci_radio.h"
#include "platform/base/hex.h"
#include "tests/fakes/scripted_controller.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::HexBytes;
using testing::ScriptedController;

std::pair<int, std::string> RunBtmon(const std::string& file) {
    const std::string cmd = "TZ=UTC timeout 20 btmon -P -c never -T -r " + file + " 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
    const int status = pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

size_t CountRecords(const std::vector<uint8_t>& file) {
    auto reader = BtsnoopReader::Open(file);
    REQUIRE(reader.ok());
    BtsnoopRecord rec;
    size_t n = 0;
    for (;;) {
        auto more = reader->Next(&rec);
        REQUIRE(more.ok());
        if (!*more) return n;
        ++n;
    }
}

std::vector<uint8_t> Cat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

TEST_CASE("btmon decodes the hci log HciRadio writes, including the FD6F service data") {
    const testing::ScratchDir dir("hcilog");
    const std::string path = dir.File("hci.btsnoop");
    GaenPayload gaen;
    for (size_t i = 0; i < 16; ++i) gaen.rpi[i] = static_cast<uint8_t>(0xA0 + i);
    gaen.aem = {0x40, 0xF1, 0x00, 0x00};
    AdvertisingSet set;
    set.address.bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x16};
    set.payload = BuildGaenAdvert(gaen);
    const auto set_address = HexBytes("01 05 20 06 010203040516");
    ManualClock clock(1'700'000'000'000'000);
    size_t commands = 0;
    {
        ScriptedController ctrl;
        ctrl.ExpectOk(HexBytes("01 03 0c 00"));
        ctrl.ExpectOk(HexBytes("01 01 10 00"), HexBytes("09 0000 09 f105 0000"));
        ctrl.ExpectOk(HexBytes("01 03 20 00"), HexBytes("0b00000000000000"));
        ctrl.ExpectOk(HexBytes("01 01 0c 08 ffffffffff1f0020"));
        ctrl.ExpectOk(HexBytes("01 01 20 08 1f10000000000000"));
        ctrl.ExpectStatus(set_address, 0x0C);  // Command Disallowed, kept with its opcode
        ctrl.ExpectOk(set_address);
        ctrl.ExpectOk(HexBytes("01 06 20 0f 4001 b001 03 01 00 000000000000 07 00"));
        ctrl.ExpectOk(Cat(HexBytes("01 08 20 20 1f"), set.payload));
        ctrl.ExpectOk(HexBytes("01 0a 20 01 01"));
        ctrl.ExpectOk(HexBytes("01 0a 20 01 00"));  // disabled when the radio goes away
        auto logged = LoggingHciTransport::Create(ctrl.TakeHostTransport(), path, clock);
        REQUIRE(logged.ok());
        HciRadioOptions o;
        o.watchdog_period_ms = 0;
        auto radio = HciRadio::Open(std::move(logged).value(), clock, o);
        REQUIRE(radio.ok());
        const Status refused = (*radio)->StartAdvertising(set, {});
        CHECK(refused.code() == StatusCode::kFailedPrecondition);
        REQUIRE((*radio)->StartAdvertising(set, {}).ok());
        radio->reset();
        CHECK(ctrl.WaitDone(2000));
        CHECK(ctrl.failures().empty());
        commands = ctrl.received().size();
    }
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> file{std::istreambuf_iterator<char>(in), {}};
    CHECK(commands == 11);
    CHECK(CountRecords(file) == 2 * commands);  // every command and every answer

    const auto [rc, text] = RunBtmon(path);
    CHECK(rc == 0);
    // btmon's wording varies across versions (docs/BLE.md 7): check numbers, UUID and bytes.
    CHECK(text.find("#" + std::to_string(2 * commands) + " ") != std::string::npos);
    CHECK(text.find("fd6f") != std::string::npos);
    CHECK(text.find(HexEncode(Cat(std::vector<uint8_t>(gaen.rpi.begin(), gaen.rpi.end()),
                                  std::vector<uint8_t>(gaen.aem.begin(), gaen.aem.end())))) !=
          std::string::npos);
    CHECK(text.find("(0x0c)") != std::string::npos);  // the Command Disallowed status
    CHECK(text.find("2023-11-14") != std::string::npos);  // timestamps from the ManualClock
}

}  // namespace
}  // namespace jejak
