// Fuzzes the diagnosis-key file readers: zip container, export.bin protobuf walk,
// TEKSignatureList and the key server's index.txt. Properties: never crashes or exhausts
// memory; the streaming and whole-file parses of export.bin agree on what they accept and on
// the number of keys; the fast key decoder agrees with protobuf-c on every key message.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gaen/export/export_file.h"
#include "agent/diagnosis/key_fetch.h"

using namespace jejak;

namespace {

void CheckBin(std::span<const uint8_t> bin) {
    size_t visited = 0;
    auto header = VisitExportBin(bin, [&](const DiagnosisKey&, KeyList) {
        ++visited;
        return Status::Ok();
    });
    auto whole = ParseExportBin(bin);
    if (header.ok() != whole.ok()) std::abort();
    if (whole.ok() && whole->keys.size() + whole->revised_keys.size() != visited) std::abort();
}

// The fast path and protobuf-c must give the same verdict, message and fields.
void CheckKeyMessage(std::span<const uint8_t> message) {
    auto fast = DecodeKeyMessage(message);
    auto slow = DecodeKeyMessage(message, /*protobuf_c_only=*/true);
    if (fast.ok() != slow.ok()) std::abort();
    if (!fast.ok()) {
        if (fast.status().message() != slow.status().message()) std::abort();
        return;
    }
    if (!(fast->key == slow->key) ||
        fast->rolling_start_interval_number != slow->rolling_start_interval_number ||
        fast->rolling_period != slow->rolling_period ||
        fast->transmission_risk_level != slow->transmission_risk_level ||
        fast->report_type != slow->report_type ||
        fast->days_since_onset_of_symptoms != slow->days_since_onset_of_symptoms) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> bytes(data, size);
    ExportLimits small;
    small.max_bin_bytes = 1 << 20;  // keep each run fast; limits themselves are unit-tested
    auto blobs = ReadExportContainerBytes(bytes, "fuzz.zip", small);
    if (blobs.ok()) {
        CheckBin(blobs->bin);
        if (blobs->sig) (void)ParseExportSignatures(*blobs->sig);
    }
    CheckBin(bytes);
    CheckKeyMessage(bytes);
    (void)ParseExportSignatures(bytes);
    (void)ParseKeyIndex(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
