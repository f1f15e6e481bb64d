// LoggingHciTransport: btsnoop capture of every packet crossing an HciTransport.
#include "platform/hci_transport.h"

#include "platform/btsnoop.h"

namespace jejak {

Result<std::unique_ptr<LoggingHciTransport>> LoggingHciTransport::Create(
    std::unique_ptr<HciTransport> inner, const std::string& path, const Clock& clock) {
    auto writer = std::make_unique<BtsnoopWriter>();
    JEJAK_RETURN_IF_ERROR(writer->Open(path).WithContext("--hci-log"));
    return std::unique_ptr<LoggingHciTransport>(
        new LoggingHciTransport(std::move(inner), std::move(writer), clock));
}

LoggingHciTransport::LoggingHciTransport(std::unique_ptr<HciTransport> inner,
                                         std::unique_ptr<BtsnoopWriter> w, const Clock& clock)
    : inner_(std::move(inner)), writer_(std::move(w)), clock_(clock) {}

LoggingHciTransport::~LoggingHciTransport() {
    std::lock_guard<std::mutex> lock(mu_);
    if (writer_->is_open()) (void)writer_->Close();
}

void LoggingHciTransport::Log(std::span<const uint8_t> packet, bool from_controller) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!log_status_.ok() || !writer_->is_open()) return;
    const HciDirection dir =
        from_controller ? HciDirection::kControllerToHost : HciDirection::kHostToController;
    log_status_ = writer_->Write(packet, dir, clock_.NowUnixMicros());
}

Status LoggingHciTransport::Send(std::span<const uint8_t> packet) {
    Log(packet, false);
    return inner_->Send(packet);
}

Result<std::vector<uint8_t>> LoggingHciTransport::Receive(int timeout_ms) {
    Result<std::vector<uint8_t>> packet = inner_->Receive(timeout_ms);
    if (packet.ok()) Log(*packet, true);
    return packet;
}

Status LoggingHciTransport::log_status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return log_status_;
}

}  // namespace jejak
