// The exposure part of `jejak status`: what the device was notified of, from the exposure
// ledger (agent/check/exposure_ledger.h), and what about the checks needs attention.
//   "exposure": {"notified": bool, "days": [{"day": "YYYY-MM-DD", "score_sum": x,
//                "weighted_duration_sum": y, "first_notified_unix": t}]}
// covers every notified day still in retention (not retracted), whatever later checks found.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/store.h"

namespace jejak {

// An attention reason of `jejak status`: the problem, then what to do about it
// ("<problem> (<action>)"; reasons are joined with "; ", so actions hold none). Every
// reason is made with it.
std::string Actionable(const std::string& problem, const std::string& action);

// The "exposure" object; an unreadable ledger is an attention reason (and shows nothing), and
// so is a check that failed since the last one that succeeded.
nlohmann::json StatusExposure(Store& store, std::vector<std::string>& attention);
// "exposure" with nothing notified: no store yet.
nlohmann::json NoExposure();
// Attention reasons of the latest check result (a notification hook that failed).
void CheckAttention(const nlohmann::json& last_check, std::vector<std::string>& attention);
// The text view: one "exposure: ..." line, then one line per notified day.
void PrintExposureText(const nlohmann::json& exposure, std::ostream& out);

}  // namespace jejak
