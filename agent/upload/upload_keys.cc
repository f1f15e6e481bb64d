// Key selection, same-day release and the kept revision token.
#include "agent/upload/upload_keys.h"

namespace jejak {

Result<UploadSelection> SelectUploadKeys(Store& store, EnIntervalNumber now) {
    const UtcDay today = DayOfInterval(now);
    const UtcDay back = kUploadDays - 1;
    const DayRange days{today >= back ? today - back : 0, today};
    std::vector<StoredTek> rows;
    JEJAK_ASSIGN_OR_RETURN(ReadReport read,
                           store.ForEachTek(days, [&](const StoredTek& t) { rows.push_back(t); }));
    UploadSelection out;
    out.unreadable_rows = read.problems.size();
    const std::vector<StoredTek> effective = EffectiveTeks(rows);
    const std::optional<StoredTek> current = TekValidAt(effective, now);
    for (StoredTek t : effective) {
        if (t.rolling_start > now) continue;  // a successor that has not started yet
        if (current && t == *current) {
            const uint32_t cut = now - t.rolling_start + 1;
            if (cut < t.rolling_period) {
                t.rolling_period = cut;
                out.release = t;
            }
        }
        ExposureKey k;
        k.key = t.tek;
        k.rolling_start_number = t.rolling_start;
        k.rolling_period = t.rolling_period;
        out.keys.push_back(std::move(k));
    }
    return out;
}

Status ReleaseTodaysKey(Store& store, const UploadSelection& selection, RandomSource& random) {
    if (!selection.release) return Status::Ok();
    const StoredTek& cut = *selection.release;
    JEJAK_RETURN_IF_ERROR(store.PutTek(cut));
    const EnIntervalNumber next = cut.rolling_start + cut.rolling_period;
    const EnIntervalNumber day_end = RollingStartOf(cut.rolling_start) + kTekRollingPeriod;
    if (next >= day_end) return Status::Ok();
    return store.PutTek(StoredTek{GenerateTek(random), next, day_end - next});
}

Result<std::string> LoadRevisionToken(Store& store) {
    Result<std::string> token = store.GetState(kRevisionTokenState);
    if (!token.ok() && token.status().IsNotFound()) return std::string();
    return token;
}

Status SaveRevisionToken(Store& store, const std::string& token) {
    if (token.empty()) return Status::Ok();
    return store.PutState(DeviceState{kRevisionTokenState, token});
}

}  // namespace jejak
