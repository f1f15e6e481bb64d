// ScriptedController implementation: a thread answering the host over a socketpair.
#include "tests/fakes/scripted_controller.h"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "platform/transport/h4_fd_transport.h"
#include "platform/base/hex.h"

namespace jejak::testing {

Bytes HexBytes(const std::string& hex) {
    std::string compact;
    for (char c : hex) {
        if (c != ' ') compact += c;
    }
    auto bytes = HexDecode(compact);
    if (!bytes.ok()) std::abort();  // a typo in a test's own literal
    return *bytes;
}

Bytes CommandCompletePacket(uint16_t opcode, uint8_t status, const Bytes& ret, uint8_t ncmd) {
    Bytes p = {0x04, 0x0E, static_cast<uint8_t>(4 + ret.size()), ncmd,
               static_cast<uint8_t>(opcode & 0xFF), static_cast<uint8_t>(opcode >> 8), status};
    p.insert(p.end(), ret.begin(), ret.end());
    return p;
}

Bytes CommandStatusPacket(uint16_t opcode, uint8_t status, uint8_t ncmd) {
    return {0x04, 0x0F, 0x04, status, ncmd, static_cast<uint8_t>(opcode & 0xFF),
            static_cast<uint8_t>(opcode >> 8)};
}

Bytes AdvReportPacket(uint8_t evt_type, uint8_t addr_type, const Bytes& addr_le,
                      const Bytes& data, int8_t rssi) {
    Bytes p = {0x04, 0x3E, static_cast<uint8_t>(12 + data.size()), 0x02, 0x01, evt_type,
               addr_type};
    p.insert(p.end(), addr_le.begin(), addr_le.end());
    p.push_back(static_cast<uint8_t>(data.size()));
    p.insert(p.end(), data.begin(), data.end());
    p.push_back(static_cast<uint8_t>(rssi));
    return p;
}

ScriptedController::ScriptedController() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
    host_fd_ = fds[0];
    auto self = H4FdTransport::Adopt(fds[1], "scripted-controller");
    if (!self.ok()) std::abort();
    self_ = std::move(self).value();
    thread_ = std::thread([this] { Run(); });
}

ScriptedController::~ScriptedController() {
    stop_ = true;
    self_->Shutdown();
    thread_.join();
    if (host_fd_ >= 0) close(host_fd_);
}

std::unique_ptr<HciTransport> ScriptedController::TakeHostTransport() {
    auto host = H4FdTransport::Adopt(host_fd_, "scripted-host");
    host_fd_ = -1;
    if (!host.ok()) std::abort();
    return std::move(host).value();
}

void ScriptedController::Expect(Bytes command, std::vector<Bytes> replies, bool fragment) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.push_back({std::move(command), std::move(replies), fragment});
}

void ScriptedController::ExpectOk(const Bytes& command, const Bytes& ret) {
    const uint16_t opcode = static_cast<uint16_t>(command.at(1) | command.at(2) << 8);
    Expect(command, {CommandCompletePacket(opcode, 0x00, ret)});
}

void ScriptedController::ExpectStatus(const Bytes& command, uint8_t status) {
    const uint16_t opcode = static_cast<uint16_t>(command.at(1) | command.at(2) << 8);
    Expect(command, {CommandCompletePacket(opcode, status)});
}

void ScriptedController::ExpectSilence(const Bytes& command) { Expect(command, {}); }

void ScriptedController::Inject(const Bytes& bytes, bool fragment) { Write(bytes, fragment); }

void ScriptedController::Write(const Bytes& bytes, bool fragment) {
    std::lock_guard<std::mutex> lock(write_mu_);
    if (!fragment) {
        (void)self_->Send(bytes);
        return;
    }
    for (uint8_t b : bytes) {
        (void)self_->Send(Bytes{b});
        std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
}

void ScriptedController::Run() {
    while (!stop_) {
        auto packet = self_->Receive(200);
        if (packet.ok()) {
            Handle(*packet);
            continue;
        }
        if (packet.status().IsUnavailable()) return;
        if (packet.status().IsCorruption()) {
            std::lock_guard<std::mutex> lock(mu_);
            failures_.push_back("host sent bytes that are not H4: " + packet.status().message());
        }
    }
}

void ScriptedController::Handle(const Bytes& packet) {
    Step step;
    {
        std::lock_guard<std::mutex> lock(mu_);
        received_.push_back(packet);
        if (script_.empty()) {
            failures_.push_back("unexpected command " + HexEncode(packet));
            cv_.notify_all();
            return;
        }
        if (script_.front().expect != packet) {
            failures_.push_back("expected " + HexEncode(script_.front().expect) + " got " +
                                HexEncode(packet));
            cv_.notify_all();
            return;
        }
        step = std::move(script_.front());
        script_.pop_front();
    }
    for (const Bytes& reply : step.replies) Write(reply, step.fragment);
    cv_.notify_all();
}

bool ScriptedController::WaitDone(int timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                        [this] { return script_.empty(); });
}

std::vector<std::string> ScriptedController::failures() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
}

std::vector<Bytes> ScriptedController::received() const {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
}

size_t ScriptedController::pending() const {
    std::lock_guard<std::mutex> lock(mu_);
    return script_.size();
}

}  // namespace jejak::testing
