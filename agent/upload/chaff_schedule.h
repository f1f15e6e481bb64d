// When the scheduled exposure check sends its next chaff sequence (`jejak report --chaff
// --if-due`, run by jejak-check.service). A network observer must not be able to tell a
// device's real diagnosis upload from its decoys, so decoys go out at random times: the
// delay to the next one is drawn from the crypto RNG with an exponential distribution
// (memoryless: when the last decoy went, or how many have gone, says nothing about when the
// next goes), clamped to [kChaffMinDelayS, kChaffMaxDelayS] so that the rate stays
// bounded. The next due time is kept in the state directory (agent/config/agent_files.h,
// kChaffScheduleFileName), so it survives reboots and `store wipe` removes it.
//
// A decoy that could not be sent (no network) stays due: the next check that finds a
// network sends it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "crypto/random.h"
#include "platform/base/status.h"

namespace jejak {

inline constexpr int64_t kChaffMeanDelayS = 3 * 86400;
inline constexpr int64_t kChaffMinDelayS = 3600;
inline constexpr int64_t kChaffMaxDelayS = 21 * 86400;

// A fresh delay in seconds, in [kChaffMinDelayS, kChaffMaxDelayS].
int64_t DrawChaffDelay(RandomSource& random);

// What a scheduled run does, given the stored due time (nullopt: none stored or unreadable)
// and now (Unix seconds).
struct ChaffStep {
    bool send = false;      // send one chaff sequence now
    bool schedule = false;  // store a freshly drawn due time (after a successful send)
};
// Due (now >= due): send, then schedule. Not due: nothing. No due time, or one further
// ahead than kChaffMaxDelayS (a clock set back, a damaged file): schedule without sending,
// so a fresh install does not send at its first check.
ChaffStep PlanChaff(std::optional<int64_t> due_unix, int64_t now_unix);

// The stored due time: nullopt when the file does not exist; Corruption when it is not
// {"next_due_unix": N} with N >= 0; IOError when it cannot be read.
Result<std::optional<int64_t>> LoadChaffDue(const std::string& path);
// Replaces the file atomically (mode 0600).
Status SaveChaffDue(const std::string& path, int64_t due_unix);

}  // namespace jejak
