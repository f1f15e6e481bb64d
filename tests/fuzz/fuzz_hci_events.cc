// Fuzzes the HCI event decoders with an event as it comes off the wire after the H4 byte
// (`code plen params`). Properties: never crashes or reads out of bounds (ASan); an accepted
// advertising-report event accounts for every byte; reports' data stays inside the event.
#include <cstdint>
#include <cstdlib>

#include "platform/codec/gaen_advert.h"
#include "platform/codec/hci.h"

using namespace jejak;

namespace {

void DecodeReturnParams(const CommandComplete& cc) {
    (void)DecodeReadLocalVersion(cc);
    (void)DecodeReadBdAddr(cc);
    (void)DecodeLeReadLocalFeatures(cc);
    (void)DecodeLeReadBufferSize(cc);
    (void)DecodeReadLocalSupportedCommands(cc);
    (void)DecodeLeRand(cc);
    (void)DecodeLeReadMaxAdvDataLength(cc);
    (void)DecodeLeReadNumAdvSets(cc);
    (void)DecodeLeSetExtAdvParametersTxPower(cc);
    if (cc.status != 0) (void)HciStatusError(cc.opcode, cc.status).ToString();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> bytes(data, size);
    auto event = ParseHciEvent(bytes);
    if (!event.ok()) return 0;
    if (auto cc = DecodeCommandComplete(*event); cc.ok()) DecodeReturnParams(*cc);
    (void)DecodeCommandStatus(*event);
    (void)DecodeHardwareError(*event);
    size_t consumed = 0;
    size_t reports = 0;
    auto n = DecodeLeAdvertisingReports(*event, [&](const AdvReport& r) {
        if (r.data.data() < data || r.data.data() + r.data.size() > data + size) std::abort();
        consumed += (r.extended ? 24 : 10) + r.data.size();
        ++reports;
        (void)ParseGaenAdvert(r.data);
    });
    if (n.ok() && (*n != reports || consumed + 2 != event->params.size())) std::abort();
    if (!n.ok() && reports != 0) std::abort();  // nothing emitted for a rejected event
    return 0;
}
