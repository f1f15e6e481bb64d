// Public RSSI-at-known-distance recordings as the efficacy harness reads them (the layouts
// and cleaning rules of data/datasets/README.md, "How to score"):
//  - Herald format: `time,rssi,distance` (local time to the second, dBm, cm), one stream per
//    file, several rows may share a second (kept in file order);
//  - Pi format: `Timestamp,MAC,RSSI,UUID,RPI,...` (Unix seconds, the sender's MAC, dBm), the
//    distance taken from `<N>cm` in the file name; rows whose RSSI is outside [-127, -1] are
//    dropped and counted; rows with a mangled UUID/RPI but a valid RSSI are kept;
//  - multi-channel format: `distance,rssiBLE,...,y` or the second header `y,rssi,...,distance`
//    found inside one file; no time axis (per-reading mode only).
// Other CSV files (metadata, phone lists) are skipped. Untrusted input: a malformed row is
// counted and skipped; a file with no usable row, or spanning more than 31 days, is refused
// with its name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/base/status.h"

namespace jejak::eval {

enum class StreamFormat { kHerald, kPi, kMultiChannel };

struct Reading {
    double t = 0;  // seconds (Unix or file-local); 0 for readings without time
    int rssi = 0;  // dBm
    int distance_cm = 0;
};

// One receiver hearing one transmitter.
struct Stream {
    std::string file;    // path relative to the dataset folder it was found in
    std::string group;   // calibration group: readings from one receiver/sender pair setup
    StreamFormat format = StreamFormat::kHerald;
    bool timed = true;   // false: no time axis (multi-channel)
    int advertised_tx_dbm = 0;  // TX power the sender advertised, when known (Pi: +12)
    std::vector<Reading> readings;  // time order for timed streams
    uint64_t dropped_rows = 0;      // removed by the cleaning rules or unparsable
};

std::string_view FormatName(StreamFormat format);

// Reads one CSV file. NotFound when the header is none of the three formats (the caller
// skips the file), IOError when it cannot be read, InvalidArgument when no row is usable.
Result<Stream> LoadStream(const std::string& path, const std::string& relative_name);

struct Dataset {
    std::string dir;
    std::vector<Stream> streams;       // sorted by file name
    std::vector<std::string> skipped;  // CSV files in no known format
};

// Every CSV file under `dir` (recursively), named "<dir's last component>/<path below dir>".
// NotFound when `dir` holds no usable stream.
Result<Dataset> LoadDataset(const std::string& dir);

// The copied public datasets, one folder per source: <exe>/../share/jejak/datasets/* when
// installed, else the source tree's data/datasets/* (a path compiled in for the build
// tree). Empty when neither exists.
std::vector<std::string> DefaultDatasetDirs();

}  // namespace jejak::eval
