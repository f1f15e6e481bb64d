// The Linux kernel HCI socket (AF_BLUETOOTH / BTPROTO_HCI) as an HciTransport. Only
// bluez_hci_socket.cc includes <bluetooth/*.h>; it is compiled when JEJAK_BLUEZ=ON
// (JEJAK_HAVE_BLUEZ defined) and needs a kernel with Bluetooth at run time.
#pragma once

#include <memory>

#include "platform/transport/hci_transport.h"

namespace jejak {

// Opens controller hci<index>. Tries HCI_CHANNEL_USER first (exclusive: the device must be
// down, needs CAP_NET_ADMIN; Jejak then owns the whole controller), and falls back to
// HCI_CHANNEL_RAW beside bluetoothd (device up, LE set commands need CAP_NET_RAW; the kernel
// and mgmt may still change advertising/scanning behind Jejak's back). Unavailable with a
// clear message on a kernel without AF_BLUETOOTH or when the device does not exist;
// PermissionDenied when neither channel may be bound.
Result<std::unique_ptr<HciTransport>> OpenBluezHciSocket(int index);

}  // namespace jejak
