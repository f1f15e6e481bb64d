// The scripted HCI controller is itself tested: it answers exact commands in order, flags
// anything else, fragments replies on request and forwards unsolicited bytes.
#include "tests/fakes/scripted_controller.h"

#include <doctest/doctest.h>

namespace jejak::testing {
namespace {

TEST_CASE("scripted controller answers the expected command with its scripted reply") {
    ScriptedController ctrl;
    auto host = ctrl.TakeHostTransport();
    ctrl.ExpectOk(HexBytes("01 03 0c 00"));
    REQUIRE(host->Send(HexBytes("01 03 0c 00")).ok());
    auto reply = host->Receive(2000);
    REQUIRE(reply.ok());
    CHECK(*reply == HexBytes("04 0e 04 01 03 0c 00"));
    CHECK(ctrl.WaitDone(2000));
    CHECK(ctrl.failures().empty());
}

TEST_CASE("scripted controller records a wrong command and does not answer it") {
    ScriptedController ctrl;
    auto host = ctrl.TakeHostTransport();
    ctrl.ExpectOk(HexBytes("01 03 0c 00"));
    REQUIRE(host->Send(HexBytes("01 01 10 00")).ok());
    CHECK(host->Receive(100).status().IsTimeout());
    REQUIRE(ctrl.failures().size() == 1);
    CHECK(ctrl.failures()[0] == "expected 01030c00 got 01011000");
    CHECK(ctrl.pending() == 1);
}

TEST_CASE("scripted controller flags commands beyond the script") {
    ScriptedController ctrl;
    auto host = ctrl.TakeHostTransport();
    REQUIRE(host->Send(HexBytes("01 0a 20 01 00")).ok());
    CHECK(host->Receive(100).status().IsTimeout());
    REQUIRE(ctrl.failures().size() == 1);
    CHECK(ctrl.failures()[0] == "unexpected command 010a200100");
}

TEST_CASE("scripted controller can write a reply one byte at a time") {
    ScriptedController ctrl;
    auto host = ctrl.TakeHostTransport();
    const Bytes reply = CommandCompletePacket(0x1001, 0, HexBytes("09 0000 09 f105 0000"));
    ctrl.Expect(HexBytes("01 01 10 00"), {reply}, /*fragment=*/true);
    REQUIRE(host->Send(HexBytes("01 01 10 00")).ok());
    auto got = host->Receive(2000);
    REQUIRE(got.ok());
    CHECK(*got == reply);
}

TEST_CASE("scripted controller builds standard events byte-exactly") {
    CHECK(CommandCompletePacket(0x2005, 0x0C) == HexBytes("04 0e 04 01 05 20 0c"));
    CHECK(CommandStatusPacket(0x2006, 0x01) == HexBytes("04 0f 04 01 01 06 20"));
    CHECK(AdvReportPacket(0x03, 0x01, HexBytes("010203040506"), HexBytes("020106"), -60) ==
          HexBytes("04 3e 0f 02 01 03 01 010203040506 03 020106 c4"));
}

}  // namespace
}  // namespace jejak::testing
