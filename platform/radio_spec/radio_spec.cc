// Radio spec parsing (pure) and the factory that opens the chosen radio.
#include "platform/radio_spec/radio_spec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "platform/transport/h4_fd_transport.h"
#include "platform/radio/hci_radio.h"
#include "platform/sim/sim_radio.h"
#include "platform/transport/uart_transport.h"
#ifdef JEJAK_HAVE_BLUEZ
#include "platform/transport/bluez_hci_socket.h"
#endif

namespace jejak {
namespace {

Status Bad(std::string_view spec, const std::string& why) {
    return Status::InvalidArgument("radio spec '" + std::string(spec) + "': " + why +
                                   " (expected hciN, uart:DEVICE[@BAUD][,noflow], "
                                   "unix:PATH or sim:DIR[?x=..&y=..&path=FILE&tx=..&seed=..])");
}

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
    if (text.empty()) return false;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

bool ParseDouble(std::string_view text, double& out) {
    if (!ParseNumber(text, out)) return false;
    return std::isfinite(out);
}

Status ParseHci(std::string_view spec, RadioSpec& out) {
    int index = -1;
    if (!ParseNumber(spec.substr(3), index) || index < 0 || index > 0xFFFE) {
        return Bad(spec, "'hci' must be followed by a device number");
    }
    out.kind = RadioKind::kKernelSocket;
    out.hci_index = index;
    return Status::Ok();
}

Status ParseUart(std::string_view spec, RadioSpec& out) {
    std::string_view rest = spec.substr(5);
    if (const size_t comma = rest.find(','); comma != std::string_view::npos) {
        if (rest.substr(comma + 1) != "noflow") return Bad(spec, "unknown uart option");
        out.flow_control = false;
        rest = rest.substr(0, comma);
    }
    if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
        uint32_t baud = 0;
        if (!ParseNumber(rest.substr(at + 1), baud) || baud < 1200 || baud > 4000000) {
            return Bad(spec, "baud rate must be a number from 1200 to 4000000");
        }
        out.baud = baud;
        rest = rest.substr(0, at);
    }
    if (rest.empty() || rest[0] != '/') return Bad(spec, "uart needs an absolute device path");
    out.kind = RadioKind::kUart;
    out.path = std::string(rest);
    return Status::Ok();
}

Status ParseSimKey(std::string_view spec, std::string_view key, std::string_view value,
                   SimRadioConfig& sim) {
    bool ok = false;
    if (key == "x") ok = ParseDouble(value, sim.x_m);
    else if (key == "y") ok = ParseDouble(value, sim.y_m);
    else if (key == "z") ok = ParseDouble(value, sim.z_m);
    else if (key == "tx") ok = ParseNumber(value, sim.tx_power_dbm) &&
                               sim.tx_power_dbm >= -127 && sim.tx_power_dbm <= 20;
    else if (key == "seed") ok = ParseNumber(value, sim.seed);
    else if (key == "path") {
        sim.path_file = std::string(value);  // read (strictly) when the radio opens
        ok = !value.empty();
    }
    else if (key == "loss") ok = ParseDouble(value, sim.loss) && sim.loss >= 0 && sim.loss <= 1;
    else if (key == "noise") ok = ParseDouble(value, sim.noise_db) && sim.noise_db >= 0 &&
                                  sim.noise_db <= 40;
    else if (key == "exponent") ok = ParseDouble(value, sim.exponent) && sim.exponent >= 1 &&
                                     sim.exponent <= 6;
    else if (key == "floor") ok = ParseNumber(value, sim.floor_dbm) && sim.floor_dbm >= -127 &&
                                  sim.floor_dbm <= 0;
    else return Bad(spec, "unknown sim key '" + std::string(key) + "'");
    if (!ok) return Bad(spec, "bad value '" + std::string(value) + "' for sim key '" +
                                  std::string(key) + "'");
    return Status::Ok();
}

Status ParseSim(std::string_view spec, RadioSpec& out) {
    std::string_view rest = spec.substr(4);
    const size_t q = rest.find('?');
    const std::string_view dir = rest.substr(0, q);
    if (dir.empty()) return Bad(spec, "sim needs an ether directory");
    out.kind = RadioKind::kSim;
    out.sim.ether_dir = std::string(dir);
    std::string_view query = q == std::string_view::npos ? "" : rest.substr(q + 1);
    bool placed = false;
    while (!query.empty()) {
        const size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos) return Bad(spec, "sim options are key=value");
        const std::string_view key = pair.substr(0, eq);
        if (key == "x" || key == "y") placed = true;
        JEJAK_RETURN_IF_ERROR(ParseSimKey(spec, key, pair.substr(eq + 1), out.sim));
    }
    if (placed && !out.sim.path_file.empty()) {
        return Bad(spec, "sim keys 'x'/'y' and 'path' exclude each other (the path places the "
                         "radio)");
    }
    return Status::Ok();
}

}  // namespace

Result<RadioSpec> ParseRadioSpec(std::string_view spec) {
    RadioSpec out;
    out.text = std::string(spec);
    Status st;
    if (spec.starts_with("hci")) {
        st = ParseHci(spec, out);
    } else if (spec.starts_with("uart:")) {
        st = ParseUart(spec, out);
    } else if (spec.starts_with("unix:")) {
        out.kind = RadioKind::kUnixSocket;
        out.path = std::string(spec.substr(5));
        if (out.path.empty()) st = Bad(spec, "unix needs a socket path");
        if (out.path.size() > 107) st = Bad(spec, "unix socket path longer than 107 bytes");
    } else if (spec.starts_with("sim:")) {
        st = ParseSim(spec, out);
    } else {
        st = Bad(spec, "unknown radio kind");
    }
    if (!st.ok()) return st;
    return out;
}

namespace {

Result<std::unique_ptr<HciTransport>> OpenTransport(const RadioSpec& spec) {
    switch (spec.kind) {
        case RadioKind::kKernelSocket:
#ifdef JEJAK_HAVE_BLUEZ
            return OpenBluezHciSocket(spec.hci_index);
#else
            return Status::Unavailable("radio '" + spec.text +
                                       "': this build has no BlueZ support (JEJAK_BLUEZ=OFF)");
#endif
        case RadioKind::kUart: return OpenUartH4(spec.path, spec.baud, spec.flow_control);
        case RadioKind::kUnixSocket: return ConnectUnixH4(spec.path);
        case RadioKind::kSim: break;
    }
    return Status::Internal("not an HCI radio spec");
}

// The transport for an HCI spec, recorded in `log` when there is one.
Result<std::unique_ptr<HciTransport>> OpenLink(const RadioSpec& spec,
                                               const std::shared_ptr<HciLog>& log) {
    Result<std::unique_ptr<HciTransport>> transport = OpenTransport(spec);
    if (!transport.ok()) return transport.status().WithContext("radio '" + spec.text + "'");
    if (!log) return transport;
    return std::unique_ptr<HciTransport>(
        std::make_unique<LoggingHciTransport>(std::move(transport).value(), log));
}

}  // namespace

Result<std::unique_ptr<Radio>> OpenRadio(std::string_view spec, const Clock& clock,
                                         const RadioOptions& options) {
    JEJAK_ASSIGN_OR_RETURN(RadioSpec parsed, ParseRadioSpec(spec));
    if (parsed.kind == RadioKind::kSim) {
        JEJAK_ASSIGN_OR_RETURN(auto sim, SimRadio::Open(parsed.sim, clock, options.sim_poll_ms));
        return std::unique_ptr<Radio>(std::move(sim));
    }
    std::shared_ptr<HciLog> log;
    if (!options.hci_log_path.empty()) {
        JEJAK_ASSIGN_OR_RETURN(log, HciLog::Create(options.hci_log_path, clock));
    }
    JEJAK_ASSIGN_OR_RETURN(std::unique_ptr<HciTransport> link, OpenLink(parsed, log));
    HciRadioOptions hci;
    hci.command_timeout_ms = options.command_timeout_ms;
    hci.reset_timeout_ms = std::max(options.command_timeout_ms, 2000);
    hci.watchdog_period_ms = options.watchdog_period_ms;
    hci.report_silence_ms = options.report_silence_ms;
    hci.allow_shared_advertising = options.allow_shared_advertising;
    hci.reopen = [parsed, log] { return OpenLink(parsed, log); };  // after a lost link
    Result<std::unique_ptr<HciRadio>> radio = HciRadio::Open(std::move(link), clock, hci);
    if (!radio.ok()) return radio.status().WithContext("radio '" + parsed.text + "'");
    return std::unique_ptr<Radio>(std::move(radio).value());
}

}  // namespace jejak
