// The exposure ledger: merging a check's findings, the notified days, and store I/O.
#include "agent/check/exposure_ledger.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "agent/check/exposure_ledger_codec.h"
#include "crypto/hkdf.h"

namespace jejak {
namespace {

constexpr char kKeyIdLabel[] = "jejak exposure ledger key id v1";

bool SameKeyDay(const LedgerKeyDay& e, const LedgerKeyId& key, uint32_t day) {
    return e.day == day && e.key == key;
}

// The report type a ledger key takes when a check finds it with `seen`.
ReportType MergedType(ReportType held, ReportType seen) {
    if (held == ReportType::kRevoked) return held;
    if (seen == held || IsValidReportTypeTransition(held, seen)) return seen;
    return held;
}

// Unites `found` (this check's windows of one key-day) into `entry` by window start.
void UniteWindows(LedgerKeyDay& entry, std::span<const ExposureWindow> found, CheckRef by) {
    for (const ExposureWindow& w : found) {
        auto same =
            std::find_if(entry.windows.begin(), entry.windows.end(),
                         [&](const LedgerWindow& lw) { return lw.window.start == w.start; });
        if (same != entry.windows.end()) {
            same->window = w;  // this check's scans; the first finder stays
        } else {
            entry.windows.push_back({w, by});
        }
    }
    std::stable_sort(entry.windows.begin(), entry.windows.end(),
                     [](const LedgerWindow& a, const LedgerWindow& b) {
                         return a.window.start < b.window.start;
                     });
    for (LedgerWindow& lw : entry.windows) lw.window.report_type = entry.report_type;
}

const ScoreSummary& ThresholdScore(const DailySummary& day, const RiskConfig& config) {
    return config.notify_report_type
               ? day.by_report_type[static_cast<size_t>(*config.notify_report_type)]
               : day.total;
}

const DailySummary* Notifying(std::span<const DailySummary> summaries, uint32_t day,
                              const RiskConfig& config) {
    for (const DailySummary& s : summaries) {
        const double score = ThresholdScore(s, config).score_sum;
        if (s.day == day && score > 0 && score >= config.notify_score_sum) return &s;
    }
    return nullptr;
}

}  // namespace

LedgerKeyId LedgerKeyIdOf(const Tek& key) {
    std::array<uint8_t, kSha256Size> mac;
    const std::string_view label(kKeyIdLabel);
    HmacSha256(key.bytes(), {reinterpret_cast<const uint8_t*>(label.data()), label.size()}, mac);
    LedgerKeyId id;
    std::copy_n(mac.begin(), id.size(), id.begin());
    SecureZero(mac.data(), mac.size());
    return id;
}

Result<ExposureLedger> LoadExposureLedger(Store& store, ReadReport* report) {
    ExposureLedger ledger;
    std::map<std::tuple<uint32_t, LedgerKeyId>, LedgerKeyDay> key_days;
    std::map<uint32_t, NotifiedDay> days;
    ReadReport problems;
    JEJAK_ASSIGN_OR_RETURN(
        ReadReport read,
        store.ForEachLedgerRecord(DayRange::All(), [&](int64_t id, const LedgerRecord& record) {
            auto entry = DecodeLedgerEntry(record.payload, record.day);
            if (!entry.ok()) {
                problems.problems.push_back(
                    {"exposure_ledger", record.day, id, entry.status().message()});
                return;
            }
            // Records come in id order within a day: a newer one supersedes.
            if (auto* kd = std::get_if<LedgerKeyDay>(&*entry)) {
                key_days[{kd->day, kd->key}] = std::move(*kd);
            } else {
                const NotifiedDay& nd = std::get<NotifiedDay>(*entry);
                days[nd.day] = nd;
            }
        }));
    for (auto& [id, entry] : key_days) ledger.key_days.push_back(std::move(entry));
    for (auto& [day, notified] : days) ledger.days.push_back(notified);
    if (report != nullptr) {
        *report = std::move(read);
        report->rows_ok -= std::min<uint64_t>(report->rows_ok, problems.problems.size());
        report->problems.insert(report->problems.end(), problems.problems.begin(),
                                problems.problems.end());
    }
    return ledger;
}

Status AppendLedger(Store& store, std::span<const LedgerKeyDay> key_days,
                    std::span<const NotifiedDay> days) {
    std::vector<LedgerRecord> records;
    for (const LedgerKeyDay& e : key_days) records.push_back({e.day, EncodeLedgerKeyDay(e)});
    for (const NotifiedDay& d : days) records.push_back({d.day, EncodeNotifiedDay(d)});
    return store.AddLedgerRecords(records).WithContext("exposure ledger");
}

LedgerMerge MergeIntoLedger(const ExposureLedger& ledger, std::span<const KeyExposure> found,
                            std::span<const Tek> revoked, CheckRef by) {
    LedgerMerge out;
    out.ledger = ledger;
    std::vector<LedgerKeyDay>& entries = out.ledger.key_days;
    std::vector<size_t> touched;
    for (const KeyExposure& e : found) {
        const LedgerKeyId key = LedgerKeyIdOf(e.key);
        std::map<uint32_t, std::vector<ExposureWindow>> by_day;
        for (const ExposureWindow& w : e.windows) by_day[w.day].push_back(w);
        for (const auto& [day, windows] : by_day) {
            auto it = std::find_if(entries.begin(), entries.end(), [&](const LedgerKeyDay& kd) {
                return SameKeyDay(kd, key, day);
            });
            if (it == entries.end()) {
                if (e.report_type == ReportType::kRevoked) continue;
                LedgerKeyDay fresh;
                fresh.key = key;
                fresh.day = day;
                fresh.report_type = e.report_type;
                entries.push_back(std::move(fresh));
                it = entries.end() - 1;
            } else {
                it->report_type = MergedType(it->report_type, e.report_type);
            }
            UniteWindows(*it, windows, by);
            touched.push_back(static_cast<size_t>(it - entries.begin()));
        }
    }
    std::vector<LedgerKeyId> revoked_ids;
    for (const Tek& k : revoked) revoked_ids.push_back(LedgerKeyIdOf(k));
    for (size_t i = 0; i < entries.size(); ++i) {
        LedgerKeyDay& kd = entries[i];
        if (std::find(revoked_ids.begin(), revoked_ids.end(), kd.key) == revoked_ids.end())
            continue;
        if (kd.report_type != ReportType::kRevoked) {
            out.newly_revoked.push_back(kd);
            kd.report_type = ReportType::kRevoked;
            for (LedgerWindow& lw : kd.windows) lw.window.report_type = ReportType::kRevoked;
        }
        touched.push_back(i);
    }
    // Only records that differ from what the ledger already holds are appended.
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (size_t i : touched) {
        const LedgerKeyDay& now = entries[i];
        auto before =
            std::find_if(ledger.key_days.begin(), ledger.key_days.end(),
                         [&](const LedgerKeyDay& kd) { return SameKeyDay(kd, now.key, now.day); });
        if (before == ledger.key_days.end() ||
            EncodeLedgerKeyDay(*before) != EncodeLedgerKeyDay(now)) {
            out.changed.push_back(now);
        }
    }
    return out;
}

std::vector<ExposureWindow> LedgerWindows(const ExposureLedger& ledger,
                                          std::vector<CheckRef>* found_by) {
    std::vector<ExposureWindow> windows;
    for (const LedgerKeyDay& kd : ledger.key_days) {
        for (const LedgerWindow& lw : kd.windows) {
            windows.push_back(lw.window);
            if (found_by != nullptr) found_by->push_back(lw.found_by);
        }
    }
    return windows;
}

std::vector<std::vector<CheckRef>> ContributingChecks(std::span<const DailySummary> summaries,
                                                      std::span<const ExposureWindow> windows,
                                                      std::span<const CheckRef> found_by,
                                                      const RiskConfig& config, uint32_t today) {
    std::vector<std::vector<CheckRef>> out(summaries.size());
    for (size_t i = 0; i < windows.size() && i < found_by.size(); ++i) {
        // A window contributes when the summaries would count it on its own.
        if (ComputeDailySummaries({&windows[i], 1}, config, today).empty()) continue;
        for (size_t d = 0; d < summaries.size(); ++d) {
            if (summaries[d].day == windows[i].day) out[d].push_back(found_by[i]);
        }
    }
    for (auto& checks : out) {
        std::sort(checks.begin(), checks.end());
        checks.erase(std::unique(checks.begin(), checks.end()), checks.end());
    }
    return out;
}

NotificationUpdate UpdateNotifiedDays(std::span<const NotifiedDay> previous,
                                      std::span<const DailySummary> summaries,
                                      std::span<const DailySummary> ageless,
                                      const RiskConfig& config, int64_t now, bool may_retract) {
    NotificationUpdate out;
    std::map<uint32_t, NotifiedDay> standing;
    for (const NotifiedDay& d : previous) {
        if (d.standing()) standing[d.day] = d;
    }
    for (const DailySummary& s : summaries) {
        if (Notifying(summaries, s.day, config) == nullptr) continue;
        NotifiedDay next;
        auto held = standing.find(s.day);
        if (held != standing.end()) {
            next = held->second;
        } else {
            next.day = s.day;
            next.first_notified_unix = now;
            out.newly_notified.push_back(s.day);
        }
        next.score_sum = s.total.score_sum;
        next.weighted_duration_sum = s.total.weighted_duration_sum;
        if (held == standing.end() || held->second.score_sum != next.score_sum ||
            held->second.weighted_duration_sum != next.weighted_duration_sum) {
            out.records.push_back(next);
        }
        standing[s.day] = next;
    }
    for (auto it = standing.begin(); it != standing.end();) {
        const bool counted = Notifying(summaries, it->first, config) != nullptr;
        if (counted || !may_retract || Notifying(ageless, it->first, config) != nullptr) {
            ++it;
            continue;
        }
        NotifiedDay retracted = it->second;
        retracted.retracted_unix = now;
        out.records.push_back(retracted);
        out.retracted.push_back(it->first);
        it = standing.erase(it);
    }
    for (const auto& [day, d] : standing) out.standing.push_back(d);
    return out;
}

}  // namespace jejak
