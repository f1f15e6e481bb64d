// Serial-port set-up for H4 controllers (termios lives here and nowhere else).
#include "platform/transport/uart_transport.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "platform/transport/h4_fd_transport.h"

namespace jejak {
namespace {

Result<speed_t> BaudConstant(uint32_t baud) {
    switch (baud) {
        case 9600: return speed_t{B9600};
        case 19200: return speed_t{B19200};
        case 38400: return speed_t{B38400};
        case 57600: return speed_t{B57600};
        case 115200: return speed_t{B115200};
        case 230400: return speed_t{B230400};
        case 460800: return speed_t{B460800};
        case 921600: return speed_t{B921600};
        case 1000000: return speed_t{B1000000};
        case 1500000: return speed_t{B1500000};
        case 2000000: return speed_t{B2000000};
        case 3000000: return speed_t{B3000000};
        case 4000000: return speed_t{B4000000};
        default: break;
    }
    return Status::InvalidArgument("baud rate " + std::to_string(baud) +
                                   " is not a standard rate (e.g. 115200, 1000000, 3000000)");
}

Status ConfigureTty(int fd, speed_t speed, bool flow_control, const std::string& device) {
    termios tio{};
    if (tcgetattr(fd, &tio) != 0) return Status::FromErrno(errno, device + ": tcgetattr");
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB);
    if (flow_control) {
        tio.c_cflag |= CRTSCTS;
    } else {
        tio.c_cflag &= ~static_cast<tcflag_t>(CRTSCTS);
    }
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0) {
        return Status::FromErrno(errno, device + ": cfsetspeed");
    }
    if (tcsetattr(fd, TCSANOW, &tio) != 0) return Status::FromErrno(errno, device + ": tcsetattr");
    // Bytes queued before we owned the port belong to nobody: drop them.
    if (tcflush(fd, TCIOFLUSH) != 0) return Status::FromErrno(errno, device + ": tcflush");
    return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<HciTransport>> OpenUartH4(const std::string& device, uint32_t baud,
                                                 bool flow_control) {
    JEJAK_ASSIGN_OR_RETURN(const speed_t speed, BaudConstant(baud));
    const int fd = open(device.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Status::FromErrno(errno, "open " + device);
    if (!isatty(fd)) {
        close(fd);
        return Status::InvalidArgument(device + " is not a serial port");
    }
    const Status st = ConfigureTty(fd, speed, flow_control, device);
    if (!st.ok()) {
        close(fd);
        return st;
    }
    std::string description = "uart:" + device + "@" + std::to_string(baud);
    if (!flow_control) description += ",noflow";
    JEJAK_ASSIGN_OR_RETURN(auto transport, H4FdTransport::Adopt(fd, std::move(description)));
    return std::unique_ptr<HciTransport>(std::move(transport));
}

}  // namespace jejak
