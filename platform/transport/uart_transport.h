// H4 over a serial port: a UART HCI controller owned directly by Jejak (e.g. Zephyr's
// hci_uart on an nRF52840 at 1 Mbit/s with RTS/CTS), no btattach or kernel Bluetooth needed.
// The only file that touches termios is uart_transport.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "platform/transport/hci_transport.h"

namespace jejak {

// Opens `device`, puts it in raw 8N1 mode at `baud` with RTS/CTS when `flow_control`, flushes
// stale input, and returns an H4 transport over it. InvalidArgument for a baud rate termios
// cannot express, NotFound/PermissionDenied/IOError from open and tcsetattr.
Result<std::unique_ptr<HciTransport>> OpenUartH4(const std::string& device, uint32_t baud,
                                                 bool flow_control);

}  // namespace jejak
