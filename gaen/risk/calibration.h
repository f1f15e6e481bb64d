// BLE calibration: the receiver's RSSI correction and the attenuation formula
// (docs/PROTOCOL.md 6.1). Google's per-model table (en-calibration-2020-12-14.csv, as
// transcribed by microG) gives each phone model an rssi_correction added to measured RSSI and
// the tx value it advertises. A Linux receiver is not in the table, so its correction normally
// comes from the config; the table's fleet mean is the documented fallback (microG's LOWEST
// confidence default). The table is compiled into the binary, so the fallback is the same
// wherever the binary is copied; a configured file overrides it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/base/status.h"

namespace jejak {

struct CalibrationRow {
    std::string manufacturer;
    std::string device;
    std::string model;
    int rssi_correction = 0;
    int tx = 0;
    int confidence = 0;  // 0 LOWEST .. 3 HIGH
};

class CalibrationTable {
public:
    // Parses the CSV text: '#' comment lines, one header line, then rows of
    // manufacturer,device,model,rssi_correction,tx,calibration_confidence.
    // Corruption naming the line for malformed rows; an empty table is an error.
    static Result<CalibrationTable> Parse(std::string_view csv);
    static Result<CalibrationTable> Load(const std::string& path);

    const std::vector<CalibrationRow>& rows() const { return rows_; }
    // Exact (case-insensitive) match on model, else on device name; nullptr if absent.
    const CalibrationRow* Find(std::string_view model_or_device) const;
    // Mean rssi_correction over all rows, rounded to the nearest dB.
    int FleetMeanRssiCorrection() const;

private:
    std::vector<CalibrationRow> rows_;
};

// The table built into the binary (en_calibration_2020-12-14_via_microg.csv, embedded at
// build time by cmake/embed_file.cmake; the text is generated, the definition lives in the
// build tree) and its parse.
std::string_view BuiltinCalibrationCsv();
Result<CalibrationTable> BuiltinCalibrationTable();

// Receiver settings from the config's "calibration" object:
//   { "rssi_correction_db": 4 }          explicit correction (wins), or
//   { "model": "Pixel 4" }               looked up in the table, or
//   { "table": "/path/to.csv" }          another table file instead of the built-in one
//                                        (with or without "model").
// Without a correction or a model, the table's fleet mean is used.
struct ReceiverCalibration {
    int rssi_correction_db = 0;
    std::string source;  // "config", "table:<model>", "fleet-mean"
};

// attenuation = tx_power - (rssi + rssi_correction), floored at 0 (PROTOCOL.md 6.1).
// Resolves the receiver correction from the "calibration" config object (may be empty).
// InvalidArgument for wrong types, a correction outside -60..60 dB, or a model not in the table.
Result<ReceiverCalibration> ResolveReceiverCalibration(const nlohmann::json& section);

inline int AttenuationDb(int tx_power_dbm, double rssi_dbm, int rssi_correction_db) {
    const double a = tx_power_dbm - (rssi_dbm + rssi_correction_db);
    return a <= 0 ? 0 : static_cast<int>(a + 0.5);
}

}  // namespace jejak
