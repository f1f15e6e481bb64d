// The chaff schedule: random delays and the due-time file.
#include "agent/upload/chaff_schedule.h"

#include <algorithm>
#include <cerrno>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "platform/base/atomic_file.h"

namespace jejak {

int64_t DrawChaffDelay(RandomSource& random) {
    // u uniform in (0, 1] from 53 random bits; -mean * ln(u) is exponential with that mean.
    std::array<uint8_t, 8> bytes{};
    random.Fill(bytes);
    uint64_t bits = 0;
    for (uint8_t b : bytes) bits = bits << 8 | b;
    const double u = static_cast<double>((bits >> 11) + 1) * 0x1.0p-53;
    const double delay = -static_cast<double>(kChaffMeanDelayS) * std::log(u);
    if (!(delay < static_cast<double>(kChaffMaxDelayS))) return kChaffMaxDelayS;
    return std::max(kChaffMinDelayS, static_cast<int64_t>(delay));
}

ChaffStep PlanChaff(std::optional<int64_t> due_unix, int64_t now_unix) {
    if (!due_unix || *due_unix > now_unix + kChaffMaxDelayS) return {false, true};
    if (now_unix < *due_unix) return {false, false};
    return {true, true};
}

Result<std::optional<int64_t>> LoadChaffDue(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !ec) return std::optional<int64_t>();
    std::ifstream in(path);
    if (!in) return Status::FromErrno(errno, "cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
    if (!j.is_object() || !j.contains("next_due_unix") ||
        !j["next_due_unix"].is_number_integer() || j["next_due_unix"].get<int64_t>() < 0) {
        return Status::Corruption(path + ": not a chaff schedule");
    }
    return std::optional<int64_t>(j["next_due_unix"].get<int64_t>());
}

Status SaveChaffDue(const std::string& path, int64_t due_unix) {
    return WriteFileAtomically(path, nlohmann::json{{"next_due_unix", due_unix}}.dump() + "\n");
}

}  // namespace jejak
