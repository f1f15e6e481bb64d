// HCI event decoders: every length is checked against the bytes actually present.
#include <algorithm>
#include <cstdio>

#include "platform/codec/hci.h"

namespace jejak {
namespace {

// Bounds-checked little-endian reader; once a read fails every later read fails too.
class Reader {
public:
    explicit Reader(std::span<const uint8_t> b) : b_(b) {}
    bool Has(size_t n) const { return ok_ && b_.size() - pos_ >= n; }
    size_t Left() const { return b_.size() - pos_; }
    uint8_t U8() { return Has(1) ? b_[pos_++] : Fail<uint8_t>(); }
    uint16_t U16() {
        if (!Has(2)) return Fail<uint16_t>();
        const uint16_t v = static_cast<uint16_t>(b_[pos_] | b_[pos_ + 1] << 8);
        pos_ += 2;
        return v;
    }
    std::span<const uint8_t> Take(size_t n) {
        if (!Has(n)) return Fail<std::span<const uint8_t>>();
        auto s = b_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    void Addr(BdAddr& a) {
        auto s = Take(6);
        if (ok_) std::copy(s.begin(), s.end(), a.bytes.begin());
    }
    bool ok() const { return ok_; }

private:
    template <typename T>
    T Fail() {
        ok_ = false;
        return T{};
    }
    std::span<const uint8_t> b_;
    size_t pos_ = 0;
    bool ok_ = true;
};

std::string Hex2(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", v);
    return buf;
}

Status ShortReturn(const CommandComplete& cc, size_t need) {
    return Status::Corruption("HCI " + HciOpcodeName(cc.opcode) +
                              " Command Complete: " + std::to_string(cc.return_params.size()) +
                              " return bytes, expected " + std::to_string(need));
}

// Reads one legacy (0x02) report; false if it runs past the end.
bool ReadLegacyReport(Reader& r, AdvReport& out) {
    out.extended = false;
    out.event_type = r.U8();
    out.addr_type = r.U8();
    r.Addr(out.addr);
    const uint8_t len = r.U8();
    out.data = r.Take(len);
    out.rssi = static_cast<int8_t>(r.U8());
    out.tx_power = 127;
    out.sid = 0xFF;
    out.primary_phy = 0x01;
    out.secondary_phy = 0x00;
    return r.ok();
}

// Reads one extended (0x0D) report: 24 fixed bytes + data.
bool ReadExtendedReport(Reader& r, AdvReport& out) {
    out.extended = true;
    out.event_type = r.U16();
    out.addr_type = r.U8();
    r.Addr(out.addr);
    out.primary_phy = r.U8();
    out.secondary_phy = r.U8();
    out.sid = r.U8();
    out.tx_power = static_cast<int8_t>(r.U8());
    out.rssi = static_cast<int8_t>(r.U8());
    r.Take(2 + 1 + 6);  // periodic interval, direct address type, direct address
    const uint8_t len = r.U8();
    out.data = r.Take(len);
    return r.ok();
}

}  // namespace

Result<HciEvent> ParseHciEvent(std::span<const uint8_t> event) {
    if (event.size() < 2) {
        return Status::Corruption("HCI event: " + std::to_string(event.size()) +
                                  " bytes, shorter than its 2-byte header");
    }
    if (event[1] != event.size() - 2) {
        return Status::Corruption("HCI event " + Hex2(event[0]) + ": plen " +
                                  std::to_string(event[1]) + " but " +
                                  std::to_string(event.size() - 2) + " parameter bytes");
    }
    return HciEvent{event[0], event.subspan(2)};
}

Result<CommandComplete> DecodeCommandComplete(const HciEvent& event) {
    if (event.code != kHciEvtCommandComplete || event.params.size() < 3) {
        return Status::Corruption("HCI Command Complete: malformed (code " + Hex2(event.code) +
                                  ", " + std::to_string(event.params.size()) + " bytes)");
    }
    CommandComplete cc;
    cc.num_hci_commands = event.params[0];
    cc.opcode = static_cast<uint16_t>(event.params[1] | event.params[2] << 8);
    if (event.params.size() == 3) {
        if (cc.opcode != 0) {
            return Status::Corruption("HCI " + HciOpcodeName(cc.opcode) +
                                      " Command Complete without a status byte");
        }
        return cc;
    }
    cc.status = event.params[3];
    cc.return_params = event.params.subspan(4);
    return cc;
}

Result<CommandStatus> DecodeCommandStatus(const HciEvent& event) {
    if (event.code != kHciEvtCommandStatus || event.params.size() != 4) {
        return Status::Corruption("HCI Command Status: malformed (code " + Hex2(event.code) + ", " +
                                  std::to_string(event.params.size()) + " bytes)");
    }
    return CommandStatus{event.params[0], event.params[1],
                         static_cast<uint16_t>(event.params[2] | event.params[3] << 8)};
}

Result<uint8_t> DecodeHardwareError(const HciEvent& event) {
    if (event.code != kHciEvtHardwareError || event.params.size() != 1) {
        return Status::Corruption("HCI Hardware Error: malformed event");
    }
    return event.params[0];
}

Result<size_t> DecodeLeAdvertisingReports(const HciEvent& event, const AdvReportFn& fn) {
    if (event.code != kHciEvtLeMeta || event.params.empty()) {
        return Status::NotFound("not an LE Meta event");
    }
    const uint8_t sub = event.params[0];
    if (sub != kHciLeSubAdvReport && sub != kHciLeSubExtAdvReport) {
        return Status::NotFound("LE Meta subevent " + Hex2(sub) + " is not an advertising report");
    }
    const bool ext = sub == kHciLeSubExtAdvReport;
    const char* what = ext ? "LE Extended Advertising Report" : "LE Advertising Report";
    if (event.params.size() < 2 || event.params[1] == 0) {
        return Status::Corruption(std::string(what) + ": no reports");
    }
    const uint8_t num = event.params[1];
    const auto body = event.params.subspan(2);
    AdvReport report;
    for (int pass = 0; pass < 2; ++pass) {  // pass 0 validates, pass 1 emits
        Reader r(body);
        for (uint8_t i = 0; i < num; ++i) {
            const bool ok = ext ? ReadExtendedReport(r, report) : ReadLegacyReport(r, report);
            if (!ok) {
                return Status::Corruption(std::string(what) + ": report " + std::to_string(i + 1) +
                                          " of " + std::to_string(num) + " runs past the event");
            }
            if (pass == 1) fn(report);
        }
        if (r.Left() != 0) {
            return Status::Corruption(std::string(what) + ": " + std::to_string(r.Left()) +
                                      " bytes after the last of " + std::to_string(num) +
                                      " reports");
        }
    }
    return size_t{num};
}

Result<LocalVersion> DecodeReadLocalVersion(const CommandComplete& cc) {
    Reader r(cc.return_params);
    LocalVersion v;
    v.hci_version = r.U8();
    v.hci_revision = r.U16();
    v.lmp_version = r.U8();
    v.manufacturer = r.U16();
    v.lmp_subversion = r.U16();
    if (!r.ok()) return ShortReturn(cc, 8);
    return v;
}

Result<BdAddr> DecodeReadBdAddr(const CommandComplete& cc) {
    Reader r(cc.return_params);
    BdAddr a;
    r.Addr(a);
    if (!r.ok()) return ShortReturn(cc, 6);
    return a;
}

Result<uint64_t> DecodeLeReadLocalFeatures(const CommandComplete& cc) {
    if (cc.return_params.size() < 8) return ShortReturn(cc, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | cc.return_params[static_cast<size_t>(i)];
    return v;
}

Result<LeBufferSize> DecodeLeReadBufferSize(const CommandComplete& cc) {
    Reader r(cc.return_params);
    LeBufferSize b;
    b.acl_data_length = r.U16();
    b.acl_num_packets = r.U8();
    if (!r.ok()) return ShortReturn(cc, 3);
    return b;
}

Result<std::array<uint8_t, 64>> DecodeReadLocalSupportedCommands(const CommandComplete& cc) {
    if (cc.return_params.size() < 64) return ShortReturn(cc, 64);
    std::array<uint8_t, 64> out{};
    std::copy_n(cc.return_params.begin(), 64, out.begin());
    return out;
}

Result<std::array<uint8_t, 8>> DecodeLeRand(const CommandComplete& cc) {
    if (cc.return_params.size() < 8) return ShortReturn(cc, 8);
    std::array<uint8_t, 8> out{};
    std::copy_n(cc.return_params.begin(), 8, out.begin());
    return out;
}

Result<uint16_t> DecodeLeReadMaxAdvDataLength(const CommandComplete& cc) {
    Reader r(cc.return_params);
    const uint16_t v = r.U16();
    if (!r.ok()) return ShortReturn(cc, 2);
    return v;
}

Result<uint8_t> DecodeLeReadNumAdvSets(const CommandComplete& cc) {
    if (cc.return_params.empty()) return ShortReturn(cc, 1);
    return cc.return_params[0];
}

Result<int8_t> DecodeLeSetExtAdvParametersTxPower(const CommandComplete& cc) {
    if (cc.return_params.empty()) return ShortReturn(cc, 1);
    return static_cast<int8_t>(cc.return_params[0]);
}

bool HciCommandSupported(const std::array<uint8_t, 64>& commands, int octet, int bit) {
    if (octet < 0 || octet >= 64 || bit < 0 || bit > 7) return false;
    return (commands[static_cast<size_t>(octet)] >> bit & 1) != 0;
}

}  // namespace jejak
