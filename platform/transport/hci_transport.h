// HciTransport: moves whole H4 packets between the host (Jejak) and an HCI controller.
//
// Every backend speaks H4 framing (first byte = packet indicator: 0x01 command, 0x04 event,
// ...): a byte stream over a tty or a UNIX stream socket (h4_fd_transport.h, uart_transport.h)
// or the kernel's HCI socket (bluez_hci_socket.h), which also carries the indicator byte.
// Above this seam everything is pure codecs (hci.h) and the HciRadio state machine.
// LoggingHciTransport wraps any transport and records every packet in a btsnoop file.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "platform/base/clock.h"
#include "platform/base/status.h"

namespace jejak {

class BtsnoopWriter;

class HciTransport {
public:
    // Closes the device. Must not race with Send/Receive: call Shutdown and join the
    // receiving thread first.
    virtual ~HciTransport() = default;

    // Sends one complete H4 packet (indicator byte first). Thread-safe, and may run
    // concurrently with Receive. Blocks at most about 2 s on a stalled link (e.g. CTS held
    // low), then returns Timeout. IOError/Unavailable when the link is gone.
    virtual Status Send(std::span<const uint8_t> packet) = 0;

    // Waits up to `timeout_ms` (>= 0) for the next complete H4 packet from the controller,
    // blocking in poll(2), never spinning. Returns:
    //   the packet (indicator first);
    //   Timeout when nothing complete arrived in time (partial bytes stay buffered);
    //   Corruption once per run of bytes that could not start a packet (they are skipped;
    //     the next call carries on with the stream);
    //   Unavailable after Shutdown or when the controller side closed the link.
    // Call from one thread at a time.
    virtual Result<std::vector<uint8_t>> Receive(int timeout_ms) = 0;

    // Makes a blocked Receive (and every later one) return Unavailable promptly.
    // Thread-safe and idempotent; the device itself is released by the destructor.
    virtual void Shutdown() = 0;

    // "unix:/tmp/bt-server-le", "uart:/dev/ttyACM0@1000000", "hci0 (user channel)".
    virtual std::string Describe() const = 0;

    // True when the host's Bluetooth stack shares the controller (the kernel HCI raw
    // channel beside bluetoothd): it may advertise or page-scan with the public address, a
    // stable identifier on air, and its command completions reach us too.
    virtual bool SharedWithHost() const { return false; }
};

// A btsnoop capture (datalink 1002, H4, direction flags as BlueZ writes them), stamped with
// `clock`'s wall time. Shared by every transport a radio opens over its life, so a reconnect
// appends to the same file. Logging failures never break the link: the first one is kept in
// status() and logging stops. Thread-safe.
class HciLog {
public:
    // Creates/truncates `path`. `clock` must outlive the log.
    static Result<std::shared_ptr<HciLog>> Create(const std::string& path, const Clock& clock);
    ~HciLog();
    void Record(std::span<const uint8_t> packet, bool from_controller);
    Status status() const;

private:
    HciLog(std::unique_ptr<BtsnoopWriter> writer, const Clock& clock);

    mutable std::mutex mu_;  // guards writer_ and status_
    std::unique_ptr<BtsnoopWriter> writer_;
    const Clock& clock_;
    Status status_;
};

// Decorator that records every packet sent and received in an HciLog.
class LoggingHciTransport final : public HciTransport {
public:
    LoggingHciTransport(std::unique_ptr<HciTransport> inner, std::shared_ptr<HciLog> log)
        : inner_(std::move(inner)), log_(std::move(log)) {}
    // Convenience: a new log at `path` (created/truncated) for this one transport.
    static Result<std::unique_ptr<LoggingHciTransport>> Create(
        std::unique_ptr<HciTransport> inner, const std::string& path, const Clock& clock);

    Status Send(std::span<const uint8_t> packet) override;
    Result<std::vector<uint8_t>> Receive(int timeout_ms) override;
    void Shutdown() override { inner_->Shutdown(); }
    std::string Describe() const override { return inner_->Describe(); }
    Status log_status() const { return log_->status(); }

private:
    std::unique_ptr<HciTransport> inner_;
    std::shared_ptr<HciLog> log_;
};

}  // namespace jejak
