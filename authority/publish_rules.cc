// Publish validation, embargo and revision planning.
#include "authority/publish_rules.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "platform/base/civil_date.h"

namespace jejak::authority {
namespace {

constexpr int32_t kConfirmedTest = 1;
constexpr int32_t kClinical = 2;
constexpr int32_t kSelfReport = 3;
constexpr int32_t kRevoked = 5;

std::string At(size_t i) { return "key " + std::to_string(i) + ": "; }

Status CheckKey(const ExposureKey& k, size_t i, int64_t now_s, const PublishLimits& limits) {
    if (k.rolling_period < 1 || k.rolling_period > kIntervalsPerDay) {
        return Status::InvalidArgument(At(i) + "rollingPeriod must be 1..144");
    }
    if (k.transmission_risk < 0 || k.transmission_risk > 8) {
        return Status::InvalidArgument(At(i) + "transmissionRisk must be 0..8");
    }
    const int64_t now_interval = now_s / kIntervalSeconds;
    if (int64_t{k.rolling_start_number} > now_interval) {
        return Status::InvalidArgument(At(i) + "rollingStartNumber is in the future");
    }
    const int64_t oldest = UtcDayStart(now_s - limits.max_key_age_s) / kIntervalSeconds;
    if (int64_t{k.rolling_start_number} < oldest) {
        return Status::InvalidArgument(At(i) + "rollingStartNumber is older than " +
                                       std::to_string(limits.max_key_age_s / kSecondsPerDay) +
                                       " days");
    }
    return Status::Ok();
}

}  // namespace

std::optional<VerificationType> ParseVerificationType(std::string_view name) {
    if (name == "confirmed") return VerificationType::kConfirmed;
    if (name == "likely") return VerificationType::kLikely;
    if (name == "negative") return VerificationType::kNegative;
    if (name == "user-report") return VerificationType::kUserReport;
    return std::nullopt;
}

std::string_view VerificationTypeName(VerificationType type) {
    switch (type) {
        case VerificationType::kConfirmed: return "confirmed";
        case VerificationType::kLikely: return "likely";
        case VerificationType::kNegative: return "negative";
        case VerificationType::kUserReport: return "user-report";
    }
    return "confirmed";
}

int32_t ExportReportType(VerificationType type) {
    switch (type) {
        case VerificationType::kConfirmed: return kConfirmedTest;
        case VerificationType::kLikely: return kClinical;
        case VerificationType::kNegative: return kRevoked;
        case VerificationType::kUserReport: return kSelfReport;
    }
    return kConfirmedTest;
}

int32_t DefaultTransmissionRisk(VerificationType type) {
    switch (type) {
        case VerificationType::kConfirmed: return 2;
        case VerificationType::kLikely: return 4;
        case VerificationType::kUserReport: return 5;
        case VerificationType::kNegative: return 6;
    }
    return 2;
}

bool ValidReportTypeTransition(int32_t from, int32_t to) {
    if (from == kClinical) return to == kConfirmedTest || to == kRevoked;
    if (from == kSelfReport) return to == kConfirmedTest || to == kClinical || to == kRevoked;
    return false;
}

Result<int64_t> ParseIsoDate(std::string_view text, std::string_view what) {
    const auto bad = [&] {
        return Status::InvalidArgument(std::string(what) + ": expected a date YYYY-MM-DD, got '" +
                                       std::string(text.substr(0, 32)) + "'");
    };
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
    int64_t parts[3] = {0, 0, 0};
    const size_t starts[3] = {0, 5, 8};
    const size_t lens[3] = {4, 2, 2};
    for (size_t p = 0; p < 3; ++p) {
        for (size_t i = starts[p]; i < starts[p] + lens[p]; ++i) {
            if (text[i] < '0' || text[i] > '9') return bad();
            parts[p] = parts[p] * 10 + (text[i] - '0');
        }
    }
    const int64_t y = parts[0], m = parts[1], d = parts[2];
    if (y < 1970 || m < 1 || m > 12 || d < 1) return bad();
    if (!IsValidCivilDate(y, m, d)) return bad();
    return DaysFromCivil(y, m, d);
}

std::string FormatIsoDate(int64_t days) {
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t doe = days - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = yoe + era * 400 + (m <= 2);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                  static_cast<long long>(m), static_cast<long long>(d));
    return buf;
}

int64_t UtcDayStart(int64_t unix_s) {
    const int64_t r = unix_s % kSecondsPerDay;
    return unix_s - (r < 0 ? r + kSecondsPerDay : r);
}

int64_t EmbargoUntil(uint32_t rolling_start, uint32_t rolling_period, int64_t now_s,
                     const PublishLimits& limits) {
    const int64_t end_s = (int64_t{rolling_start} + rolling_period) * kIntervalSeconds;
    int64_t until = end_s + limits.embargo_s;
    if (end_s > now_s) {
        until = std::max(until, UtcDayStart(now_s) + kSecondsPerDay + limits.embargo_s);
    }
    return until;
}

std::optional<int32_t> DaysSinceOnset(uint32_t rolling_start,
                                      std::optional<int64_t> request_onset_interval,
                                      std::optional<int64_t> certificate_onset_interval,
                                      int64_t now_s, const PublishLimits& limits) {
    const int64_t now_interval = now_s / kIntervalSeconds;
    const int64_t report_window = int64_t{limits.max_onset_report_days} * kIntervalsPerDay;
    int64_t onset_s = now_s - int64_t{limits.default_onset_days_ago} * kSecondsPerDay;
    if (request_onset_interval && *request_onset_interval > 0 &&
        *request_onset_interval <= now_interval &&
        *request_onset_interval >= now_interval - report_window) {
        onset_s = *request_onset_interval * kIntervalSeconds;
    } else if (certificate_onset_interval && *certificate_onset_interval > 0) {
        onset_s = *certificate_onset_interval * kIntervalSeconds;
    }
    const int64_t key_day = UtcDayStart(int64_t{rolling_start} * kIntervalSeconds) / kSecondsPerDay;
    const int64_t onset_day = UtcDayStart(onset_s) / kSecondsPerDay;
    const int64_t days = key_day - onset_day;
    if (days < -limits.max_onset_days || days > limits.max_onset_days) return std::nullopt;
    return static_cast<int32_t>(days);
}

Status ValidateUploadedKeys(std::span<const ExposureKey> keys, int64_t now_s,
                            const PublishLimits& limits) {
    if (keys.empty()) return Status::InvalidArgument("temporaryExposureKeys is empty");
    if (keys.size() > limits.max_keys) {
        return Status::InvalidArgument("too many keys: " + std::to_string(keys.size()) +
                                       " > " + std::to_string(limits.max_keys));
    }
    std::map<uint32_t, size_t> per_start;
    for (size_t i = 0; i < keys.size(); ++i) {
        JEJAK_RETURN_IF_ERROR(CheckKey(keys[i], i, now_s, limits));
        if (++per_start[keys[i].rolling_start_number] > limits.max_same_start) {
            return Status::InvalidArgument(At(i) + "more than " +
                                           std::to_string(limits.max_same_start) +
                                           " keys share its rollingStartNumber");
        }
        for (size_t j = 0; j < i; ++j) {
            if (keys[j].key == keys[i].key) {
                return Status::InvalidArgument(At(i) + "duplicates key " + std::to_string(j));
            }
        }
    }
    return Status::Ok();
}

std::string_view PublishRefusalCode(PublishRefusal refusal) {
    switch (refusal) {
        case PublishRefusal::kMissingRevisionToken: return "missing_revision_token";
        case PublishRefusal::kInvalidRevisionToken: return "invalid_revision_token";
        case PublishRefusal::kKeyAlreadyRevised: return "key_already_revised";
        case PublishRefusal::kInvalidTransition: return "invalid_report_type_transition";
    }
    return "bad_request";
}

Status Refuse(PublishRefusal refusal, std::string_view reason) {
    return Status::FailedPrecondition(std::string(PublishRefusalCode(refusal)) + ": " +
                                      std::string(reason));
}

Result<PublishPlan> PlanPublish(std::span<const ExposureKey> keys,
                                const std::vector<StoredExposure>& existing,
                                const PublishContext& c, const PublishLimits& limits) {
    PublishPlan plan;
    plan.new_revision = c.new_revision;
    const int32_t report_type = ExportReportType(c.type);
    for (const ExposureKey& k : keys) {
        const auto stored = std::find_if(existing.begin(), existing.end(),
                                         [&](const StoredExposure& e) { return e.key == k.key; });
        const std::optional<int32_t> onset = DaysSinceOnset(
            k.rolling_start_number, c.request_onset_interval, c.certificate_onset_interval,
            c.now_s, limits);
        const int64_t available =
            EmbargoUntil(k.rolling_start_number, k.rolling_period, c.now_s, limits);
        if (stored == existing.end()) {
            if (c.type == VerificationType::kNegative) continue;  // nothing to revoke
            StoredExposure e;
            e.key = k.key;
            e.rolling_start = k.rolling_start_number;
            e.rolling_period = k.rolling_period;
            e.transmission_risk =
                k.transmission_risk != 0 ? k.transmission_risk : DefaultTransmissionRisk(c.type);
            e.report_type = report_type;
            e.days_since_onset = onset;
            e.created_at = c.now_s;
            e.available_at = available;
            plan.inserts.push_back(std::move(e));
            continue;
        }
        if (!c.presented_revision) {
            return Refuse(PublishRefusal::kMissingRevisionToken,
                          "a key was published before; send the revisionToken from then");
        }
        if (!ConstantTimeEqual(c.presented_revision->data(), stored->revision.data(),
                               stored->revision.size())) {
            return Refuse(PublishRefusal::kInvalidRevisionToken,
                          "the revisionToken does not cover a previously published key");
        }
        if (stored->revised_report_type) {
            return Refuse(PublishRefusal::kKeyAlreadyRevised, "a key was already revised");
        }
        if (stored->report_type == report_type) continue;  // a repeat: nothing changes
        if (!ValidReportTypeTransition(stored->report_type, report_type)) {
            return Refuse(PublishRefusal::kInvalidTransition,
                          "report type " + std::to_string(stored->report_type) + " cannot become " +
                              std::to_string(report_type));
        }
        plan.revisions.push_back({k.key, report_type, onset, std::max(available, c.now_s)});
    }
    return plan;
}

}  // namespace jejak::authority
