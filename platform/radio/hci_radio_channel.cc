// HciRadioChannel: command credits, completion matching and the reader thread.
#include "platform/radio/hci_radio_channel.h"

#include <chrono>

#include "platform/codec/hci.h"

namespace jejak {

HciRadioChannel::HciRadioChannel(std::unique_ptr<HciTransport> transport, EventFn on_event)
    : transport_(std::move(transport)), on_event_(std::move(on_event)) {
    reader_ = std::thread([this] { ReadLoop(); });
}

HciRadioChannel::~HciRadioChannel() {
    transport_->Shutdown();
    reader_.join();
}

void HciRadioChannel::ReadLoop() {
    for (;;) {
        Result<std::vector<uint8_t>> packet = transport_->Receive(1000);
        if (packet.ok()) {
            Dispatch(*packet);
        } else if (packet.status().IsCorruption()) {
            ++garbage_runs_;
        } else if (!packet.status().IsTimeout()) {
            // Shut down, peer closed, or an I/O error: nothing more will arrive.
            std::lock_guard<std::mutex> lock(mu_);
            link_down_ = true;
            cv_.notify_all();
            return;
        }
    }
}

void HciRadioChannel::Dispatch(std::span<const uint8_t> packet) {
    if (packet.empty() || packet[0] != 0x04) return;  // we only expect events
    const std::span<const uint8_t> body = packet.subspan(1);
    Result<HciEvent> event = ParseHciEvent(body);
    if (!event.ok()) {
        ++garbage_runs_;
        return;
    }
    if (event->code == kHciEvtCommandComplete) {
        Result<CommandComplete> cc = DecodeCommandComplete(*event);
        if (cc.ok()) {
            OnCommandDone(cc->opcode, cc->num_hci_commands, cc->status, cc->return_params, false);
        } else {
            ++garbage_runs_;
        }
        return;
    }
    if (event->code == kHciEvtCommandStatus) {
        Result<CommandStatus> cs = DecodeCommandStatus(*event);
        if (cs.ok()) {
            OnCommandDone(cs->opcode, cs->num_hci_commands, cs->status, {}, true);
        } else {
            ++garbage_runs_;
        }
        return;
    }
    if (event->code == kHciEvtHardwareError) ++hardware_errors_;
    on_event_(body);
}

void HciRadioChannel::OnCommandDone(uint16_t opcode, uint8_t ncmd, uint8_t status,
                                    std::span<const uint8_t> ret, bool is_status_event) {
    std::lock_guard<std::mutex> lock(mu_);
    credits_ = ncmd;
    // A successful Command Status only means "started"; none of our commands use it, but a
    // completion may still follow, so keep waiting.
    const bool completes = !(is_status_event && status == kHciSuccess);
    const bool ours = pending_opcode_ && *pending_opcode_ == opcode && opcode != 0;
    if (!ours && opcode == kHciReset && !is_status_event) ++unsolicited_resets_;
    if (ours && completes) {
        done_ = true;
        done_status_ = status;
        done_return_.assign(ret.begin(), ret.end());
        pending_opcode_.reset();
    }
    cv_.notify_all();
}

void HciRadioChannel::RestoreCredit() {
    std::lock_guard<std::mutex> lock(mu_);
    credits_ = 1;
    pending_opcode_.reset();
}

Result<std::vector<uint8_t>> HciRadioChannel::Execute(std::span<const uint8_t> command,
                                                      int timeout_ms) {
    if (command.size() < 4 || command[0] != 0x01) {
        return Status::Internal("Execute needs an H4 command packet");
    }
    const uint16_t opcode = static_cast<uint16_t>(command[1] | command[2] << 8);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    const auto what = [opcode] { return "HCI " + HciOpcodeName(opcode); };
    std::unique_lock<std::mutex> lock(mu_);
    const auto has_credit = [this] { return credits_ > 0 || link_down_; };
    if (!cv_.wait_until(lock, deadline, has_credit)) {
        return Status::Timeout(what() + ": controller granted no command credit in time");
    }
    if (link_down_) return Status::Unavailable(what() + ": " + Describe() + " link is down");
    --credits_;
    pending_opcode_ = opcode;
    done_ = false;
    lock.unlock();
    const Status sent = transport_->Send(command);
    lock.lock();
    if (!sent.ok()) {
        pending_opcode_.reset();
        return sent.WithContext(what());
    }
    if (!cv_.wait_until(lock, deadline, [this] { return done_ || link_down_; })) {
        pending_opcode_.reset();
        credits_ = 1;  // let the watchdog's HCI Reset through
        return Status::Timeout(what() + ": no Command Complete within " +
                               std::to_string(timeout_ms) + " ms");
    }
    if (!done_) return Status::Unavailable(what() + ": " + Describe() + " link is down");
    if (done_status_ != kHciSuccess) return HciStatusError(opcode, done_status_);
    return done_return_;
}

}  // namespace jejak
