// Choosing a radio with one string (`jejak scan --radio SPEC`, config "radio.spec").
//
// Accepted specs:
//   hci0, hci1, ...              kernel HCI socket (user channel, raw channel as fallback);
//                                needs a JEJAK_BLUEZ=ON build and a kernel with Bluetooth
//   uart:/dev/ttyACM0[@BAUD][,noflow]
//                                H4 over a serial port, default 1000000 baud, RTS/CTS on
//   unix:/path/to/socket         H4 over a UNIX stream socket (e.g. btvirt's /tmp/bt-server-le)
//   sim:ETHER_DIR[?key=value&...]
//                                simulated radio on a shared-directory ether (sim_ether.h);
//                                keys: x, y, z (metres), path (a waypoint file moving the
//                                radio in x and y, platform/sim/sim_path.h; not with x or y),
//                                tx (dBm, -127..20), seed (integer),
//                                loss (0..1 drop probability), noise (dB std deviation),
//                                exponent (path-loss exponent, 1..6), floor (dBm sensitivity)
//   e.g. sim:/tmp/ether?x=1.5&y=0&tx=-15&seed=7
// Anything else is InvalidArgument with a message naming the offending part.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "platform/base/clock.h"
#include "platform/radio/radio.h"
#include "platform/sim/sim_radio.h"
#include "platform/base/status.h"

namespace jejak {

enum class RadioKind { kKernelSocket, kUart, kUnixSocket, kSim };

struct RadioSpec {
    RadioKind kind = RadioKind::kSim;
    std::string text;           // the spec as given, for messages
    int hci_index = 0;          // kKernelSocket
    std::string path;           // kUart device, kUnixSocket socket path
    uint32_t baud = 1000000;    // kUart
    bool flow_control = true;   // kUart: RTS/CTS
    SimRadioConfig sim;         // kSim
};

struct RadioOptions {
    // When set, every HCI packet exchanged is appended to this btsnoop file (datalink 1002,
    // H4). Ignored by simulated radios.
    std::string hci_log_path;
    // Per-command timeout; HCI Reset gets at least 2 s.
    int command_timeout_ms = 2000;
    // Watchdog (every watchdog_period_ms; 0 = off): reset and re-initialise a controller that
    // stops answering commands, or that reports no advert at all for report_silence_ms while
    // scanning (0 disables that check); reopen the device when the link was lost.
    int watchdog_period_ms = 5000;
    int report_silence_ms = 600000;
    // Simulated radio only: poll the ether from a thread this often (real time); 0 leaves
    // polling to the caller (Radio::Poll), as with an injected ManualClock.
    int sim_poll_ms = 50;
    // Kernel socket only: advertise even when only the raw channel beside bluetoothd could
    // be bound (HciRadioOptions::allow_shared_advertising; config
    // "radio": {"allow_shared_advertising": true}).
    bool allow_shared_advertising = false;
};

// Parses a spec (see the top of this file). Pure: touches no device.
Result<RadioSpec> ParseRadioSpec(std::string_view spec);

// Parses `spec`, opens the device and initialises the controller. `clock` stamps received
// adverts (and drives the simulated ether) and must outlive the radio.
Result<std::unique_ptr<Radio>> OpenRadio(std::string_view spec, const Clock& clock,
                                         const RadioOptions& options = {});

}  // namespace jejak
