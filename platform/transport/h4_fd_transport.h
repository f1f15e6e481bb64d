// H4 over a file descriptor: the transport for UNIX stream sockets (btvirt, test peers on a
// socketpair), serial ports (after uart_transport.h has configured the tty) and the kernel
// HCI socket (whose reads already hold whole packets). Incoming bytes go through the pure
// H4Framer, so fragmented reads and garbage bytes are handled in one place.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "platform/codec/h4.h"
#include "platform/transport/hci_transport.h"

namespace jejak {

class H4FdTransport final : public HciTransport {
public:
    // Takes ownership of `fd` (any stream or packet socket, tty or pipe pair end) and makes
    // it non-blocking. `description` is returned by Describe(), `shared_with_host` by
    // SharedWithHost().
    static Result<std::unique_ptr<H4FdTransport>> Adopt(int fd, std::string description,
                                                        bool shared_with_host = false);
    ~H4FdTransport() override;

    Status Send(std::span<const uint8_t> packet) override;
    Result<std::vector<uint8_t>> Receive(int timeout_ms) override;
    void Shutdown() override;
    std::string Describe() const override { return description_; }
    bool SharedWithHost() const override { return shared_with_host_; }

    uint64_t skipped_bytes() const { return framer_.skipped_bytes(); }

private:
    H4FdTransport(int fd, int wake_fd, std::string description);
    // One poll + read; queues whatever the framer completes. Timeout/Unavailable/IOError.
    Status ReadOnce(int timeout_ms);

    const int fd_;
    const int wake_fd_;  // eventfd written by Shutdown
    const std::string description_;
    bool shared_with_host_ = false;
    const bool is_socket_;
    std::mutex send_mu_;
    H4Framer framer_;
    std::deque<Result<std::vector<uint8_t>>> ready_;  // packets and Corruption markers
    bool eof_ = false;
};

// Connects to an H4 server on a UNIX stream socket (e.g. `btvirt -s` at /tmp/bt-server-le).
// NotFound if nothing is listening at `path`.
Result<std::unique_ptr<HciTransport>> ConnectUnixH4(const std::string& path);

}  // namespace jejak
