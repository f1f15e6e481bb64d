// Advertising over a controller shared with the host stack. Guards the raw HCI channel
// beside bluetoothd, which may advertise or page-scan with the public address (a stable
// identifier on air) and whose command completions can be mistaken for ours: HciRadio used
// to advertise over it without a word. Now it refuses unless explicitly allowed, and says
// why and how to get the exclusive user channel.
#include <doctest/doctest.h>

#include "radio_hci_fixture.h"

namespace jejak {
namespace {

using namespace testing;  // NOLINT: the fixture's vocabulary

// The scripted controller's link, reported as shared like the kernel's raw channel.
class SharedLink final : public HciTransport {
public:
    explicit SharedLink(std::unique_ptr<HciTransport> inner) : inner_(std::move(inner)) {}
    Status Send(std::span<const uint8_t> packet) override { return inner_->Send(packet); }
    Result<std::vector<uint8_t>> Receive(int timeout_ms) override {
        return inner_->Receive(timeout_ms);
    }
    void Shutdown() override { inner_->Shutdown(); }
    std::string Describe() const override { return "hci0 (raw channel beside bluetoothd)"; }
    bool SharedWithHost() const override { return true; }

private:
    std::unique_ptr<HciTransport> inner_;
};

TEST_CASE("hci radio refuses to advertise over a channel shared with bluetoothd") {
    ManualClock clock{1'600'000'000'000'000};
    ScriptedController ctrl;
    ExpectInit(ctrl);
    auto radio = HciRadio::Open(std::make_unique<SharedLink>(ctrl.TakeHostTransport()), clock,
                                TestOptions());
    REQUIRE(radio.ok());
    const Status refused = (*radio)->StartAdvertising(MakeSet(1), {});
    CHECK(refused.code() == StatusCode::kFailedPrecondition);
    CHECK(refused.message().find("public address") != std::string::npos);
    CHECK(refused.message().find("user channel") != std::string::npos);
    CHECK(refused.message().find("allow_shared_advertising") != std::string::npos);
    CheckScriptFollowed(ctrl);  // not one advertising command was sent
}

TEST_CASE("hci radio advertises over a shared channel when explicitly allowed") {
    ManualClock clock{1'600'000'000'000'000};
    ScriptedController ctrl;
    ExpectInit(ctrl);
    HciRadioOptions options = TestOptions();
    options.allow_shared_advertising = true;
    auto radio =
        HciRadio::Open(std::make_unique<SharedLink>(ctrl.TakeHostTransport()), clock, options);
    REQUIRE(radio.ok());
    const AdvertisingSet set = MakeSet(1);
    ctrl.ExpectOk(SetAddressCmd(set));
    ctrl.ExpectOk(kAdvParams);
    ctrl.ExpectOk(SetDataCmd(set));
    ctrl.ExpectOk(kAdvOn);
    CHECK((*radio)->StartAdvertising(set, {}).ok());
    CheckScriptFollowed(ctrl);
    ctrl.ExpectOk(kAdvOff);
}

}  // namespace
}  // namespace jejak
