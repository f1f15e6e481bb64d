// Scripted movement on the simulated ether: a waypoint file (time -> x, y) and the position it
// gives at any instant, so that distance - and so the path loss - follows a script.
//
// File format (strict; every error names the file and line):
//   # comments start with '#'; blank lines are ignored
//   TIME X Y
// TIME is UTC as YYYY-MM-DDTHH:MM:SSZ or Unix seconds (an integer); X and Y are metres
// (finite, |value| <= 1e6). Times strictly increase; at least one and at most
// kMaxSimWaypoints waypoints. Before the first waypoint a radio stands at the first, after
// the last at the last, and in between it moves in a straight line at constant speed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/base/status.h"

namespace jejak {

inline constexpr size_t kMaxSimWaypoints = 10000;
inline constexpr double kMaxSimCoordinateM = 1e6;

struct SimWaypoint {
    int64_t unix_micros = 0;
    double x_m = 0, y_m = 0;
};

struct SimPoint {
    double x_m = 0, y_m = 0;
};

class SimPath {
public:
    SimPath() = default;  // no waypoints: the radio stands still at its configured position
    // Takes waypoints already checked (strictly increasing times, finite coordinates, at most
    // kMaxSimWaypoints); InvalidArgument otherwise.
    static Result<SimPath> FromWaypoints(std::vector<SimWaypoint> waypoints);
    // Parses the file format above; `name` (the file's path) prefixes every error message.
    static Result<SimPath> Parse(std::string_view text, std::string_view name);
    // Reads and parses `file`: IOError if unreadable, InvalidArgument if malformed.
    static Result<SimPath> Load(const std::string& file);

    bool empty() const { return waypoints_.empty(); }
    const std::vector<SimWaypoint>& waypoints() const { return waypoints_; }
    // The position at `unix_micros` (see the top of this file). Requires !empty().
    SimPoint At(int64_t unix_micros) const;

private:
    explicit SimPath(std::vector<SimWaypoint> w) : waypoints_(std::move(w)) {}
    std::vector<SimWaypoint> waypoints_;
};

// Parses "YYYY-MM-DDTHH:MM:SSZ" (UTC) or an integer of Unix seconds into Unix seconds.
Result<int64_t> ParseSimTime(std::string_view text);

}  // namespace jejak
