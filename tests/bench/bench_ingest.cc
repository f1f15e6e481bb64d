// jejak-bench ingest: LE advertising reports parsed and dispatched per second on one core.
// The input is an H4 byte stream of LE Meta events as a busy venue's controller would send
// them (legacy single reports, legacy events with three reports, extended reports; four in
// five adverts GAEN, the rest other beacons), fed to the framer in 4 KiB chunks. Each
// report goes framer -> event -> report decoder -> GAEN recogniser -> a dispatch callback.
// Final line:  ingest reports_per_s=X
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "bench.h"
#include "platform/codec/gaen_advert.h"
#include "platform/codec/h4.h"
#include "platform/codec/hci.h"

namespace jejak::bench {
namespace {

struct Stream {
    std::vector<uint8_t> bytes;
    size_t reports = 0;
};

void AppendLegacyReport(std::vector<uint8_t>& body, uint32_t i, bool gaen) {
    GaenPayload p;
    for (size_t k = 0; k < 16; ++k) p.rpi[k] = static_cast<uint8_t>(i * 31 + k);
    p.aem = {0x40, static_cast<uint8_t>(i), 0, 0};
    const std::vector<uint8_t> other{0x02, 0x01, 0x06, 0x05, 0xFF, 0x4C, 0x00, 0x10, 0x05};
    const std::vector<uint8_t> ad = gaen ? BuildGaenAdvert(p, i % 2 == 0) : other;
    body.insert(body.end(), {0x03, 0x01});
    for (int k = 0; k < 6; ++k) body.push_back(static_cast<uint8_t>(i >> (k * 4)));
    body.push_back(static_cast<uint8_t>(ad.size()));
    body.insert(body.end(), ad.begin(), ad.end());
    body.push_back(static_cast<uint8_t>(-40 - static_cast<int>(i % 50)));
}

void AppendExtendedReport(std::vector<uint8_t>& body, uint32_t i) {
    GaenPayload p;
    p.rpi.fill(static_cast<uint8_t>(i));
    const auto ad = BuildGaenAdvert(p, false);
    body.insert(body.end(), {0x12, 0x00, 0x01});
    for (int k = 0; k < 6; ++k) body.push_back(static_cast<uint8_t>(i >> (k * 4)));
    body.insert(body.end(), {0x01, 0x00, 0xFF, 0x7F, 0xB0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    body.push_back(static_cast<uint8_t>(ad.size()));
    body.insert(body.end(), ad.begin(), ad.end());
}

void AppendEvent(Stream& s, uint8_t subevent, uint8_t num, const std::vector<uint8_t>& body) {
    s.bytes.insert(s.bytes.end(),
                   {0x04, kHciEvtLeMeta, static_cast<uint8_t>(body.size() + 2), subevent, num});
    s.bytes.insert(s.bytes.end(), body.begin(), body.end());
    s.reports += num;
}

Stream BuildStream(size_t min_reports) {
    Stream s;
    for (uint32_t i = 0; s.reports < min_reports; ++i) {
        std::vector<uint8_t> body;
        switch (i % 3) {
            case 0:
                AppendLegacyReport(body, i, true);
                AppendEvent(s, kHciLeSubAdvReport, 1, body);
                break;
            case 1:
                for (uint32_t k = 0; k < 3; ++k) AppendLegacyReport(body, i + k, k != 1);
                AppendEvent(s, kHciLeSubAdvReport, 3, body);
                break;
            default:
                AppendExtendedReport(body, i);
                AppendEvent(s, kHciLeSubExtAdvReport, 1, body);
        }
    }
    return s;
}

struct Sink {
    size_t reports = 0;
    size_t gaen = 0;
    uint64_t checksum = 0;
};

double RunOnce(const Stream& stream, Sink& sink) {
    H4Framer framer([&sink](std::span<const uint8_t> packet) {
        auto event = ParseHciEvent(packet.subspan(1));
        if (!event.ok()) return;
        (void)DecodeLeAdvertisingReports(*event, [&sink](const AdvReport& r) {
            ++sink.reports;
            if (auto g = ParseGaenAdvert(r.data)) {
                ++sink.gaen;
                sink.checksum += g->rpi[0] + g->aem[1] + static_cast<uint8_t>(r.rssi);
            }
        });
    });
    const auto start = std::chrono::steady_clock::now();
    const std::span<const uint8_t> all(stream.bytes);
    for (size_t pos = 0; pos < all.size(); pos += 4096) {
        framer.Feed(all.subspan(pos, std::min<size_t>(4096, all.size() - pos)));
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void RunIngestBench(size_t reports, int runs) {
    const Stream stream = BuildStream(reports);
    std::printf("stream bytes=%zu reports=%zu\n", stream.bytes.size(), stream.reports);
    std::vector<double> rates;
    for (int r = 0; r < runs; ++r) {
        Sink sink;
        const double secs = RunOnce(stream, sink);
        const double rate = static_cast<double>(sink.reports) / secs;
        std::printf(
            "run n=%d reports=%zu gaen=%zu checksum=%llu reports_per_s=%.0f "
            "ns_per_report=%.1f\n",
            r + 1, sink.reports, sink.gaen, static_cast<unsigned long long>(sink.checksum), rate,
            1e9 / rate);
        rates.push_back(rate);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("ingest reports_per_s=%.0f\n", rates[rates.size() / 2]);
}

}  // namespace

void RegisterIngestBench(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "ingest", "LE advertising reports framed, decoded and dispatched per second, one core");
    auto reports = std::make_shared<size_t>(2000000);
    auto runs = std::make_shared<int>(5);
    cmd->add_option("--reports", *reports, "Reports in the synthetic stream")
        ->check(CLI::Range(1, 100000000));
    cmd->add_option("--runs", *runs, "Runs; the median is reported")->check(CLI::Range(1, 100));
    cmd->callback([reports, runs] { RunIngestBench(*reports, *runs); });
}

}  // namespace jejak::bench
