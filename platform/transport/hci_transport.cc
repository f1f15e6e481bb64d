// HciLog and LoggingHciTransport: btsnoop capture of every packet crossing an HciTransport.
#include "platform/transport/hci_transport.h"

#include "platform/codec/btsnoop.h"

namespace jejak {

Result<std::shared_ptr<HciLog>> HciLog::Create(const std::string& path, const Clock& clock) {
    auto writer = std::make_unique<BtsnoopWriter>();
    JEJAK_RETURN_IF_ERROR(writer->Open(path).WithContext("--hci-log"));
    return std::shared_ptr<HciLog>(new HciLog(std::move(writer), clock));
}

HciLog::HciLog(std::unique_ptr<BtsnoopWriter> writer, const Clock& clock)
    : writer_(std::move(writer)), clock_(clock) {}

HciLog::~HciLog() {
    if (writer_->is_open()) (void)writer_->Close();
}

void HciLog::Record(std::span<const uint8_t> packet, bool from_controller) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!status_.ok() || !writer_->is_open()) return;
    const HciDirection dir =
        from_controller ? HciDirection::kControllerToHost : HciDirection::kHostToController;
    status_ = writer_->Write(packet, dir, clock_.NowUnixMicros());
}

Status HciLog::status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
}

Result<std::unique_ptr<LoggingHciTransport>> LoggingHciTransport::Create(
    std::unique_ptr<HciTransport> inner, const std::string& path, const Clock& clock) {
    JEJAK_ASSIGN_OR_RETURN(std::shared_ptr<HciLog> log, HciLog::Create(path, clock));
    return std::make_unique<LoggingHciTransport>(std::move(inner), std::move(log));
}

Status LoggingHciTransport::Send(std::span<const uint8_t> packet) {
    log_->Record(packet, false);
    return inner_->Send(packet);
}

Result<std::vector<uint8_t>> LoggingHciTransport::Receive(int timeout_ms) {
    Result<std::vector<uint8_t>> packet = inner_->Receive(timeout_ms);
    if (packet.ok()) log_->Record(*packet, true);
    return packet;
}

}  // namespace jejak
