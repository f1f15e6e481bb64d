// Capture replay: every 0xFD6F advertising report in a btsnoop file, as a pure function.
//
// Walks controller->host LE Advertising Reports (0x02) and LE Extended Advertising Reports
// (0x0D) of a datalink 1001/1002/2001 file and yields one sighting per report whose AD
// carries GAEN service data (see gaen_advert.h). Extended reports whose data status is not
// "complete" are skipped (GAEN adverts are legacy PDUs and never fragment). Malformed events
// inside an otherwise readable file are counted and skipped, as btmon does; a bad file
// header or a truncated record is Corruption.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "platform/codec/gaen_advert.h"
#include "platform/codec/hci.h"
#include "platform/base/status.h"

namespace jejak {

// One GAEN advertisement read from a capture: a single report, not yet aggregated into a
// sighting, its payload decoded.
struct CapturedAdvert {
    size_t record = 0;  // 1-based btsnoop record number
    int64_t time_unix_us = 0;
    BdAddr address{};
    uint8_t address_type = 0;
    int8_t rssi = 127;  // 127: not available
    bool extended = false;
    uint16_t event_type = 0;
    GaenPayload payload{};
};

struct CaptureReplay {
    std::vector<CapturedAdvert> adverts;
    size_t records = 0;              // records read
    size_t advertising_reports = 0;  // all advertising reports seen (GAEN or not)
    size_t malformed_events = 0;     // events that failed to decode and were skipped
};

Result<CaptureReplay> ReplayGaenCapture(std::span<const uint8_t> btsnoop_file);

}  // namespace jejak
