// Helpers shared by the radio codec tests: the synthetic capture's frame list.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "platform/base/hex.h"
#include "tests/support/test_data.h"

namespace jejak::testing {

struct SyntheticFrame {
    bool from_controller = false;
    std::vector<uint8_t> h4;  // indicator first
};

// tests/data/ble/synthetic/gaen_synthetic_frames.csv: index,direction,h4_hex.
inline std::vector<SyntheticFrame> SyntheticFrames() {
    std::ifstream in(TestDataPath("ble/synthetic/gaen_synthetic_frames.csv"));
    std::vector<SyntheticFrame> frames;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::stringstream row(line);
        std::string index, direction, hex;
        std::getline(row, index, ',');
        std::getline(row, direction, ',');
        std::getline(row, hex, ',');
        auto bytes = HexDecode(hex);
        if (!bytes.ok()) return {};
        frames.push_back({direction == "ctrl->host", *bytes});
    }
    return frames;
}

}  // namespace jejak::testing
