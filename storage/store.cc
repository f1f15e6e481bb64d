// Validation shared by every Store implementation.
#include "storage/store.h"

namespace jejak {

Status StoreOptions::Check() const {
    if (retention_days < kMinRetentionDays || retention_days > kMaxRetentionDays) {
        return Status::InvalidArgument("retention_days must be " +
                                       std::to_string(kMinRetentionDays) + ".." +
                                       std::to_string(kMaxRetentionDays) + ", got " +
                                       std::to_string(retention_days));
    }
    if (flush_interval_s < 0 || flush_interval_s > 86400) {
        return Status::InvalidArgument("flush_interval_s must be 0..86400, got " +
                                       std::to_string(flush_interval_s));
    }
    return Status::Ok();
}

}  // namespace jejak
