// Capture replay: btsnoop records -> HCI events -> advertising reports -> GAEN adverts.
#include "platform/codec/capture_replay.h"

#include "platform/codec/btsnoop.h"

namespace jejak {
namespace {

void ReplayEvent(const BtsnoopRecord& rec, CaptureReplay& out) {
    auto event = ParseHciEvent(rec.packet);
    if (!event.ok()) {
        ++out.malformed_events;
        return;
    }
    if (event->code != kHciEvtLeMeta) return;
    auto n = DecodeLeAdvertisingReports(*event, [&](const AdvReport& r) {
        ++out.advertising_reports;
        if (r.DataStatus() != 0) return;
        const auto payload = ParseGaenAdvert(r.data);
        if (!payload) return;
        CapturedAdvert s;
        s.record = rec.index;
        s.time_unix_us = rec.time_unix_us;
        s.address = r.addr;
        s.address_type = r.addr_type;
        s.rssi = r.rssi;
        s.extended = r.extended;
        s.event_type = r.event_type;
        s.payload = *payload;
        out.adverts.push_back(s);
    });
    if (!n.ok() && n.status().IsCorruption()) ++out.malformed_events;
}

}  // namespace

Result<CaptureReplay> ReplayGaenCapture(std::span<const uint8_t> btsnoop_file) {
    JEJAK_ASSIGN_OR_RETURN(BtsnoopReader reader, BtsnoopReader::Open(btsnoop_file));
    CaptureReplay out;
    BtsnoopRecord rec;
    while (true) {
        JEJAK_ASSIGN_OR_RETURN(const bool more, reader.Next(&rec));
        if (!more) break;
        ++out.records;
        if (rec.type == HciPacketType::kEvent && rec.direction == HciDirection::kControllerToHost) {
            ReplayEvent(rec, out);
        }
    }
    return out;
}

}  // namespace jejak
