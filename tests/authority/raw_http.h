// A raw TCP client for the HTTP front's limit and attack tests: what no well-behaved HTTP
// client library sends (slow header lines, endless headers, oversized chunked bodies), from a
// chosen loopback source address (127.0.0.0/8 is all loopback, and the front counts
// connections per source address). Every wait is bounded (real sockets, wall time).
#pragma once

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <string_view>

namespace jejak::testing {

class RawClient {
public:
    // Connects to 127.0.0.1:`port` from `source`; `send_buffer` > 0 shrinks the socket's
    // send buffer so that bytes written are close to bytes the server took.
    explicit RawClient(int port, const std::string& source = "127.0.0.1", int send_buffer = 0) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        if (send_buffer > 0) {
            ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
        }
        sockaddr_in from{};
        from.sin_family = AF_INET;
        REQUIRE(inet_pton(AF_INET, source.c_str(), &from.sin_addr) == 1);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<uint16_t>(port));
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
    }
    ~RawClient() { ::close(fd_); }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    bool connected() const { return connected_; }
    size_t sent() const { return sent_; }

    // Writes all of `data`: false once the server has closed or reset the connection, or
    // when it has taken nothing for `timeout_ms`.
    bool Send(std::string_view data, int timeout_ms = 2000) {
        while (!data.empty()) {
            pollfd p{fd_, POLLOUT, 0};
            if (::poll(&p, 1, timeout_ms) <= 0 || (p.revents & (POLLERR | POLLHUP))) return false;
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && errno == EAGAIN) continue;
            if (n <= 0) return false;
            sent_ += static_cast<size_t>(n);
            data.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }

    // What the server sent until it closed, a whole reply (headers and Content-Length body)
    // arrived, or `timeout_ms` passed.
    std::string Read(int timeout_ms = 2000) {
        std::string in;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (!Complete(in)) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()).count();
            pollfd p{fd_, POLLIN, 0};
            if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
            char buf[8192];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) {
                closed_ = true;
                break;
            }
            in.append(buf, static_cast<size_t>(n));
        }
        return in;
    }
    // True once a Read saw the server close the connection.
    bool closed() const { return closed_; }

    // The status code of a reply Read returned, or 0.
    static int Status(const std::string& reply) {
        if (reply.rfind("HTTP/1.", 0) != 0 || reply.size() < 12) return 0;
        return std::stoi(reply.substr(9, 3));
    }

private:
    static bool Complete(const std::string& in) {
        const size_t end = in.find("\r\n\r\n");
        if (end == std::string::npos) return false;
        const size_t cl = in.find("Content-Length: ");
        if (cl == std::string::npos || cl > end) return true;
        return in.size() >= end + 4 + std::stoul(in.substr(cl + 16));
    }

    int fd_ = -1;
    bool connected_ = false;
    bool closed_ = false;
    size_t sent_ = 0;
};

// Resident set size of a process in KiB (/proc/PID/status VmRSS), 0 when unknown.
inline long RssKiB(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

}  // namespace jejak::testing
