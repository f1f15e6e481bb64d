#include "agent/clock/clock_offset.h"

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/config/agent_files.h"
#include "platform/base/atomic_file.h"
#include "platform/base/civil_date.h"

namespace jejak {
namespace {

std::string PathIn(const std::string& state_dir) { return state_dir + "/" + kClockOffsetFileName; }

std::string IsoUtc(int64_t unix_s) { return IsoUtcSeconds(unix_s); }

}  // namespace

ClockOffset MakeClockOffset(double offset_s, int64_t measured_unix, std::string source) {
    return {std::round(offset_s * 10) / 10, measured_unix, std::move(source)};
}

Status SaveClockOffset(const std::string& state_dir, const ClockOffset& o) {
    const nlohmann::json j = {
        {"offset_s", o.offset_s}, {"measured_unix", o.measured_unix}, {"source", o.source}};
    return WriteFileAtomically(PathIn(state_dir), j.dump() + "\n");
}

Result<std::optional<ClockOffset>> LoadClockOffset(const std::string& state_dir) {
    const std::string path = PathIn(state_dir);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !ec) return std::optional<ClockOffset>();
    std::ifstream in(path);
    if (!in) return Status::IOError("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
    if (!j.is_object() || !j.contains("offset_s") || !j["offset_s"].is_number() ||
        !std::isfinite(j["offset_s"].get<double>()) || !j.contains("measured_unix") ||
        !j["measured_unix"].is_number_integer() || !j.contains("source") ||
        !j["source"].is_string()) {
        return Status::Corruption(path + ": not a clock offset measurement");
    }
    return std::optional<ClockOffset>(ClockOffset{j["offset_s"].get<double>(),
                                                  j["measured_unix"].get<int64_t>(),
                                                  j["source"].get<std::string>()});
}

nlohmann::json ClockOffsetJson(const std::optional<ClockOffset>& o) {
    if (!o) return {{"offset_s", nullptr}, {"measured_unix", nullptr}, {"source", nullptr}};
    return {{"offset_s", o->offset_s}, {"measured_unix", o->measured_unix}, {"source", o->source}};
}

std::optional<std::string> ClockOffsetAttention(const ClockOffset& o) {
    if (std::fabs(o.offset_s) <= kClockOffsetAttentionSeconds) return std::nullopt;
    std::ostringstream s;
    s << "the clock is " << std::llround(std::fabs(o.offset_s)) << " s "
      << (o.offset_s > 0 ? "ahead of " : "behind ") << o.source << " (measured "
      << IsoUtc(o.measured_unix) << "); sightings outside the keys' time window are not matched";
    return s.str();
}

}  // namespace jejak
