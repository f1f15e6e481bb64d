// Locating the project's test data (tests/data, copied from ../shared with provenance).
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace jejak::testing {

inline std::string TestDataPath(const std::string& relative) {
    return std::string(JEJAK_TEST_DATA_DIR) + "/" + relative;
}

// A file of the data the product itself ships or embeds (data/: the receiver calibration
// table, the public RSSI datasets `jejak eval` replays), which tests read in place.
inline std::string RuntimeDataPath(const std::string& relative) {
    return std::string(JEJAK_SOURCE_DIR) + "/data/" + relative;
}

// Whole file as bytes; empty if it cannot be read (tests assert on size).
inline std::vector<uint8_t> ReadTestFile(const std::string& relative) {
    std::ifstream in(TestDataPath(relative), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace jejak::testing
