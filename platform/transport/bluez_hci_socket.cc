// Kernel HCI socket transport: the only file that includes <bluetooth/*.h>.
#include "platform/transport/bluez_hci_socket.h"

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "platform/transport/h4_fd_transport.h"

namespace jejak {
namespace {

// One place that turns socket/bind errno values into Jejak statuses with context.
Status SocketError(int err, const std::string& what) {
    switch (err) {
        case EAFNOSUPPORT:
        case EPROTONOSUPPORT:
            return Status::Unavailable(what + ": this kernel has no Bluetooth support "
                                       "(AF_BLUETOOTH); use uart:, unix: or sim: instead");
        case ENODEV: return Status::Unavailable(what + ": no such controller");
        case EBUSY: return Status::Unavailable(what + ": controller is up or in use");
        case EUSERS: return Status::Unavailable(what + ": another process owns the controller");
        case EPERM:
        case EACCES:
            return Status::PermissionDenied(what + ": needs CAP_NET_ADMIN (user channel) or "
                                            "CAP_NET_RAW (raw channel)");
        default: return Status::FromErrno(err, what);
    }
}

Result<int> BindChannel(int index, unsigned short channel) {
    const int fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC, BTPROTO_HCI);
    if (fd < 0) return SocketError(errno, "socket(AF_BLUETOOTH, BTPROTO_HCI)");
    sockaddr_hci addr{};
    addr.hci_family = AF_BLUETOOTH;
    addr.hci_dev = static_cast<unsigned short>(index);
    addr.hci_channel = channel;
    if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        close(fd);
        return SocketError(err, "bind hci" + std::to_string(index) +
                                    (channel == HCI_CHANNEL_USER ? " user channel"
                                                                 : " raw channel"));
    }
    return fd;
}

// On the raw channel the kernel delivers only what the filter lets through: all events.
Status InstallRawFilter(int fd) {
    hci_filter filter{};
    hci_filter_clear(&filter);
    hci_filter_set_ptype(HCI_EVENT_PKT, &filter);
    hci_filter_all_events(&filter);
    if (setsockopt(fd, SOL_HCI, HCI_FILTER, &filter, sizeof filter) != 0) {
        return SocketError(errno, "setsockopt(HCI_FILTER)");
    }
    return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<HciTransport>> OpenBluezHciSocket(int index) {
    const std::string name = "hci" + std::to_string(index);
    Result<int> fd = BindChannel(index, HCI_CHANNEL_USER);
    std::string description = name + " (user channel)";
    bool shared = false;
    if (!fd.ok() && fd.status().IsUnavailable() &&
        fd.status().message().find("AF_BLUETOOTH") != std::string::npos) {
        return fd.status();
    }
    if (!fd.ok()) {
        const Status user_error = fd.status();
        fd = BindChannel(index, HCI_CHANNEL_RAW);
        if (!fd.ok()) return fd.status().WithContext(user_error.message() + "; then");
        description = name + " (raw channel beside bluetoothd)";
        shared = true;
        const Status st = InstallRawFilter(*fd);
        if (!st.ok()) {
            close(*fd);
            return st;
        }
    }
    JEJAK_ASSIGN_OR_RETURN(auto transport, H4FdTransport::Adopt(*fd, std::move(description), shared));
    return std::unique_ptr<HciTransport>(std::move(transport));
}

}  // namespace jejak
