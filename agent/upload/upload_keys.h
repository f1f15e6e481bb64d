// Which of the device's own keys leave it on a diagnosis, and what the device does after:
// the keys of the last 14 UTC days (today included; older days are never sent), each in its
// effective form (storage/store.h EffectiveTeks). Today's key is cut to end at the current
// interval (same-day release); once it has left, ReleaseTodaysKey stores the cut and a new
// key that takes over at the next interval, so nothing broadcast later is derivable from a
// published key. The key server's revision token is kept sealed in the store.
#pragma once

#include <optional>
#include <vector>

#include "gaen/api/ekeyhmac.h"
#include "crypto/random.h"
#include "storage/store.h"

namespace jejak {

inline constexpr int kUploadDays = 14;
inline constexpr const char* kRevisionTokenState = "upload.revision_token";

struct UploadSelection {
    std::vector<ExposureKey> keys;      // transmission risk 0: set once the test type is known
    std::optional<StoredTek> release;  // today's key with its cut period, when it is sent
    size_t unreadable_rows = 0;        // corrupt TEK rows skipped
};

// Keys valid at or before `now` from the last kUploadDays days.
Result<UploadSelection> SelectUploadKeys(Store& store, EnIntervalNumber now);

// After today's key has left the device: stores its cut form and, unless the cut already
// ends the day, a new key from the next interval to the day's end.
Status ReleaseTodaysKey(Store& store, const UploadSelection& selection, RandomSource& random);

// The revision token kept from the last upload; empty when there is none.
Result<std::string> LoadRevisionToken(Store& store);
Status SaveRevisionToken(Store& store, const std::string& token);

}  // namespace jejak
