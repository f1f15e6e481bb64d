// H4 over a file descriptor: poll(2)-driven reads through the H4 framer, bounded writes.
#include "platform/transport/h4_fd_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace jejak {
namespace {

constexpr int kSendStallMs = 2000;

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

Result<std::unique_ptr<H4FdTransport>> H4FdTransport::Adopt(int fd, std::string description,
                                                            bool shared_with_host) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        const int err = errno;
        close(fd);
        return Status::FromErrno(err, description + ": fcntl");
    }
    const int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake < 0) {
        const int err = errno;
        close(fd);
        return Status::FromErrno(err, "eventfd");
    }
    std::unique_ptr<H4FdTransport> transport(new H4FdTransport(fd, wake, std::move(description)));
    transport->shared_with_host_ = shared_with_host;
    return transport;
}

H4FdTransport::H4FdTransport(int fd, int wake_fd, std::string description)
    : fd_(fd),
      wake_fd_(wake_fd),
      description_(std::move(description)),
      is_socket_([fd] {
          struct stat st {};
          return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
      }()),
      framer_([this](std::span<const uint8_t> p) { ready_.emplace_back(
                  std::vector<uint8_t>(p.begin(), p.end())); },
              [this](const Status& s) { ready_.emplace_back(s.WithContext(description_)); }) {}

H4FdTransport::~H4FdTransport() {
    close(fd_);
    close(wake_fd_);
}

void H4FdTransport::Shutdown() {
    const uint64_t one = 1;
    // An eventfd write only fails when the counter would overflow: it is already signalled.
    [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof one);
}

Status H4FdTransport::Send(std::span<const uint8_t> packet) {
    std::lock_guard<std::mutex> lock(send_mu_);
    const int64_t deadline = NowMs() + kSendStallMs;
    size_t done = 0;
    while (done < packet.size()) {
        // send(MSG_NOSIGNAL) on sockets: a vanished peer is an error, not a SIGPIPE.
        const ssize_t n = is_socket_
                              ? send(fd_, packet.data() + done, packet.size() - done, MSG_NOSIGNAL)
                              : write(fd_, packet.data() + done, packet.size() - done);
        if (n > 0) {
            done += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            if (errno == EPIPE || errno == ECONNRESET) {
                return Status::Unavailable(description_ + ": controller closed the link");
            }
            return Status::FromErrno(errno, description_ + ": write");
        }
        const int64_t left = deadline - NowMs();
        pollfd pfd{fd_, POLLOUT, 0};
        if (left <= 0 || poll(&pfd, 1, static_cast<int>(left)) == 0) {
            return Status::Timeout(description_ + ": write stalled (flow control?)");
        }
    }
    return Status::Ok();
}

Status H4FdTransport::ReadOnce(int timeout_ms) {
    std::array<pollfd, 2> pfds{{{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}}};
    const int n = poll(pfds.data(), pfds.size(), timeout_ms);
    if (n < 0) {
        return errno == EINTR ? Status::Ok() : Status::FromErrno(errno, description_ + ": poll");
    }
    if (pfds[1].revents != 0) return Status::Unavailable(description_ + ": transport shut down");
    if (n == 0) return Status::Timeout(description_ + ": no packet from controller");
    std::array<uint8_t, 4096> buf;
    const ssize_t got = read(fd_, buf.data(), buf.size());
    if (got > 0) {
        framer_.Feed(std::span<const uint8_t>(buf.data(), static_cast<size_t>(got)));
        return Status::Ok();
    }
    if (got == 0 || (got < 0 && (errno == ECONNRESET || errno == EIO))) {
        eof_ = true;
        return Status::Unavailable(description_ + ": controller closed the link");
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Status::Ok();
    return Status::FromErrno(errno, description_ + ": read");
}

Result<std::vector<uint8_t>> H4FdTransport::Receive(int timeout_ms) {
    const int64_t deadline = NowMs() + (timeout_ms < 0 ? 0 : timeout_ms);
    while (ready_.empty()) {
        if (eof_) return Status::Unavailable(description_ + ": controller closed the link");
        const int64_t left = deadline - NowMs();
        JEJAK_RETURN_IF_ERROR(ReadOnce(left < 0 ? 0 : static_cast<int>(left)));
    }
    Result<std::vector<uint8_t>> next = std::move(ready_.front());
    ready_.pop_front();
    return next;
}

Result<std::unique_ptr<HciTransport>> ConnectUnixH4(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path) {
        return Status::InvalidArgument("unix socket path '" + path + "' is empty or too long");
    }
    std::memcpy(addr.sun_path, path.data(), path.size());
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Status::FromErrno(errno, "socket(AF_UNIX)");
    if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        close(fd);
        const std::string what = "connect unix:" + path;
        if (err == ECONNREFUSED) return Status::NotFound(what + ": nothing is listening");
        return Status::FromErrno(err, what);
    }
    JEJAK_ASSIGN_OR_RETURN(auto transport, H4FdTransport::Adopt(fd, "unix:" + path));
    return std::unique_ptr<HciTransport>(std::move(transport));
}

}  // namespace jejak
