// AD structure walking and building.
#include "platform/codec/ad.h"

#include <string>

namespace jejak {

Status ForEachAdStructure(std::span<const uint8_t> ad, const AdStructureFn& fn) {
    size_t pos = 0;
    while (pos < ad.size()) {
        const size_t len = ad[pos];
        if (len == 0) return Status::Ok();  // early termination: zero padding follows
        if (len > ad.size() - pos - 1) {
            return Status::Corruption("advertising data: structure at offset " +
                                      std::to_string(pos) + " announces " + std::to_string(len) +
                                      " bytes, only " + std::to_string(ad.size() - pos - 1) +
                                      " left");
        }
        const AdStructure s{ad[pos + 1], ad.subspan(pos + 2, len - 1)};
        if (!fn(s)) return Status::Ok();
        pos += 1 + len;
    }
    return Status::Ok();
}

Result<std::vector<AdStructure>> ParseAd(std::span<const uint8_t> ad) {
    std::vector<AdStructure> out;
    JEJAK_RETURN_IF_ERROR(ForEachAdStructure(ad, [&out](const AdStructure& s) {
        out.push_back(s);
        return true;
    }));
    return out;
}

Status AdBuilder::Add(uint8_t type, std::span<const uint8_t> data) {
    if (data.size() > 254 || bytes_.size() + 2 + data.size() > max_size_) {
        return Status::InvalidArgument("advertising data: adding " + std::to_string(data.size()) +
                                       " bytes of type " + std::to_string(type) + " to " +
                                       std::to_string(bytes_.size()) + " exceeds " +
                                       std::to_string(max_size_));
    }
    bytes_.push_back(static_cast<uint8_t>(data.size() + 1));
    bytes_.push_back(type);
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return Status::Ok();
}

Status AdBuilder::AddFlags(uint8_t flags) {
    const uint8_t data[] = {flags};
    return Add(kAdFlags, data);
}

Status AdBuilder::AddComplete16BitUuids(std::span<const uint16_t> uuids) {
    std::vector<uint8_t> data;
    for (uint16_t u : uuids) {
        data.push_back(static_cast<uint8_t>(u & 0xFF));
        data.push_back(static_cast<uint8_t>(u >> 8));
    }
    return Add(kAdComplete16BitUuids, data);
}

Status AdBuilder::AddServiceData16(uint16_t uuid, std::span<const uint8_t> data) {
    std::vector<uint8_t> body{static_cast<uint8_t>(uuid & 0xFF), static_cast<uint8_t>(uuid >> 8)};
    body.insert(body.end(), data.begin(), data.end());
    return Add(kAdServiceData16, body);
}

}  // namespace jejak
