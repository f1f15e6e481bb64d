// `jejak encounters [--day YYYY-MM-DD] [--json] [--svg FILE] [--local] [--keys FILE|DIR...]
// [--pubkey PEM]`: the owner's own view of one UTC day (a local day with --local), decrypted on the
// device for whoever can open the store: sightings grouped into contacts (agent/encounters), each
// with start, end, duration, minimum and typical attenuation and its number of sightings; `--svg`
// draws the day for a lay reader (rough distances, a legend, the default rule's close range). RPIs
// appear only as 8-hex-digit prefixes, enough to tell contacts apart. RPIs are joined into one
// contact only at unambiguous hand-overs; the keys of export files given with --keys (verified like
// `jejak match`'s) join their own RPIs for certain and give their real TX power, so the attenuation
// shown is the one `jejak match` scores.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "platform/cli/cli_format.h"
#include "agent/cli/cli_keyring.h"
#include "agent/config/config.h"
#include "agent/config/store_config.h"
#include "gaen/export/export_verify.h"
#include "agent/encounters/encounters.h"
#include "gaen/risk/risk_config.h"
#include "platform/base/atomic_file.h"

namespace jejak {
namespace {

struct EncountersArgs {
    std::string day;
    std::string svg;
    bool json = false;
    bool local = false;
    std::vector<std::string> keys;  // export files or directories of them
    std::string pubkey;
};

struct DayView {
    UtcDay day = 0;           // the UTC day, or with --local the local day's date as a day number
    int64_t from_unix_s = 0;  // [from, to): the day shown, in the chosen time base
    int64_t to_unix_s = 0;
    std::vector<Contact> contacts;
    size_t skipped_rows = 0;
    EncounterOptions options;
    size_t known_keys = 0;
};

// Export files named by --keys: files as they are, directories' *.zip and *.bin by name.
std::vector<std::string> ExportPaths(const std::vector<std::string>& args) {
    std::vector<std::string> files;
    for (const std::string& path : args) {
        if (!std::filesystem::is_directory(path)) {
            files.push_back(path);
            continue;
        }
        std::vector<std::string> in_dir;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
            const std::string ext = e.path().extension().string();
            if (e.is_regular_file() && (ext == ".zip" || ext == ".bin")) {
                in_dir.push_back(e.path().string());
            }
        }
        if (ec) throw CliError(kExitFailure, "--keys: " + path + ": " + ec.message());
        std::sort(in_dir.begin(), in_dir.end());
        files.insert(files.end(), in_dir.begin(), in_dir.end());
    }
    return files;
}

// Keys that may have sent on `day`, from the verified export files (the device keeps no
// matched key itself: its exposure ledger names keys by a one-way id only). A file that does
// not verify is reported and skipped.
std::vector<KnownSender> KnownSenders(const EncountersArgs& args, UtcDay day, CliEnv& env) {
    const auto first = static_cast<int64_t>(day) * kTekRollingPeriod;
    std::vector<KnownSender> known;
    auto keep = [&](const Tek& key, int64_t start, int64_t period) {
        // Keys of the day before and after too: a sender's clock may drift over midnight.
        if (start + period < first - kTekRollingPeriod || start > first + 2 * kTekRollingPeriod) {
            return;
        }
        known.push_back({key, static_cast<EnIntervalNumber>(start), static_cast<uint32_t>(period)});
    };
    if (!args.keys.empty()) {
        const ExportKeyRing ring = LoadExportRing(args.pubkey, env);
        ExportReadOptions verify;
        verify.ring = &ring;
        verify.require_valid_signature = true;
        for (const std::string& file : ExportPaths(args.keys)) {
            auto read = VisitExport(file, verify, [&](const DiagnosisKey& k, KeyList) {
                keep(k.key, k.rolling_start_interval_number, k.rolling_period);
                return Status::Ok();
            });
            if (!read.ok()) env.err << "jejak: skipped " << read.status().message() << "\n";
        }
    }
    return known;
}

// Unix seconds of local midnight starting the date `day` (a day number of that date).
int64_t LocalMidnight(UtcDay day) {
    const auto noon = static_cast<std::time_t>(int64_t{day} * 86400 + 43200);
    std::tm tm{};
    gmtime_r(&noon, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm));
}

// Today's date in the chosen time base, as a day number.
UtcDay Today(bool local, CliEnv& env) {
    const int64_t now = env.clock.NowUnixMicros() / 1000000;
    if (!local) return UtcDayOfUnixSeconds(now);
    const auto t = static_cast<std::time_t>(now);
    std::tm tm{};
    localtime_r(&t, &tm);
    return UtcDayOfUnixSeconds(now + tm.tm_gmtoff);
}

// The day asked for: a UTC day, or with --local the local day of that date (which may span
// two UTC days: a visit in the evening in Kuala Lumpur is not split at UTC midnight).
void SelectDay(const EncountersArgs& args, CliEnv& env, DayView& view) {
    if (args.day.empty()) {
        view.day = Today(args.local, env);
    } else if (auto day = ParseIsoDay(args.day)) {
        view.day = *day;
    } else {
        throw CliError(kExitUsage, "--day: '" + args.day + "' is not a date YYYY-MM-DD");
    }
    view.from_unix_s = args.local ? LocalMidnight(view.day) : int64_t{view.day} * 86400;
    view.to_unix_s = args.local ? LocalMidnight(view.day + 1) : view.from_unix_s + 86400;
}

DayView Load(const EncountersArgs& args, CliEnv& env) {
    DayView view;
    SelectDay(args, env, view);
    auto section = LoadConfigSection(env, "risk");
    if (!section.ok()) Fail(section.status(), "config");
    auto risk = ParseRiskConfig(*section);
    if (!risk.ok()) throw CliError(kExitUsage, "config: " + risk.status().message());
    view.options.rssi_correction_db = risk->window.rssi_correction_db;

    auto store = OpenConfiguredStore(env, env.clock, /*create=*/false);
    if (!store.ok()) throw CliError(ExitCodeFor(store.status()), store.status().message());
    std::vector<Sighting> sightings;
    const DayRange days{UtcDayOfUnixSeconds(view.from_unix_s),
                        UtcDayOfUnixSeconds(view.to_unix_s - 1)};
    auto read = (*store)->ForEachSighting(days, [&](const Sighting& s) {
        if (s.first_seen_unix_s >= view.from_unix_s && s.first_seen_unix_s < view.to_unix_s) {
            sightings.push_back(s);
        }
    });
    if (!read.ok()) throw CliError(kExitFailure, "encounters: " + read.status().message());
    view.skipped_rows = read->problems.size();
    const std::vector<KnownSender> known = KnownSenders(args, view.day, env);
    view.known_keys = known.size();
    view.contacts = GroupContacts(sightings, view.options, known);
    return view;
}

nlohmann::json ContactJson(const Contact& c, bool local) {
    nlohmann::json prefixes = nlohmann::json::array();
    for (const RpiRun& r : c.rpis) prefixes.push_back(r.rpi_prefix);
    nlohmann::json may_continue = nlohmann::json::array();
    for (int id : c.may_continue) may_continue.push_back(id);
    return {{"id", c.id},
            {"start", IsoTime(c.start_unix_s, local)},
            {"start_unix", c.start_unix_s},
            {"end", IsoTime(c.end_unix_s, local)},
            {"end_unix", c.end_unix_s},
            {"duration_s", c.DurationSeconds()},
            {"min_attenuation_db", c.min_attenuation_db},
            {"typical_attenuation_db", c.typical_attenuation_db},
            {"sightings", c.sightings},
            {"adverts", c.adverts},
            {"rpi_prefixes", prefixes},
            {"link", ContactLinkName(c.link)},
            {"tx_power_dbm", c.tx_power_dbm},
            {"tx_power_known", c.tx_power_known},
            {"may_continue", may_continue}};
}

std::string Minutes(int64_t seconds) {
    const int64_t m = (seconds + 30) / 60;
    return m == 0 && seconds > 0 ? "<1 min" : std::to_string(m) + " min";
}

// "UTC day" or "local day, UTC+08:00".
std::string DayKind(const DayView& view, bool local) {
    if (!local) return "UTC day";
    const auto t = static_cast<std::time_t>(view.from_unix_s);
    std::tm tm{};
    localtime_r(&t, &tm);
    const long off = tm.tm_gmtoff;
    char buf[40];
    std::snprintf(buf, sizeof buf, "local day, UTC%c%02ld:%02ld", off < 0 ? '-' : '+',
                  std::labs(off) / 3600, std::labs(off) % 3600 / 60);
    return buf;
}

void Print(const DayView& view, const EncountersArgs& args, CliEnv& env) {
    const std::string day = IsoDay(int64_t{view.day} * 86400);
    if (args.json) {
        nlohmann::json contacts = nlohmann::json::array();
        for (const Contact& c : view.contacts) contacts.push_back(ContactJson(c, args.local));
        env.out << nlohmann::json{{"day", day},
                                  {"day_unix", view.from_unix_s},
                                  {"day_end_unix", view.to_unix_s},
                                  {"local_day", args.local},
                                  {"assumed_tx_power_dbm", view.options.assumed_tx_power_dbm},
                                  {"rssi_correction_db", view.options.rssi_correction_db},
                                  {"skipped_rows", view.skipped_rows},
                                  {"known_keys", view.known_keys},
                                  {"contacts", contacts}}
                       .dump(2)
                << "\n";
        return;
    }
    env.out << "encounters on " << day << " (" << DayKind(view, args.local)
            << "): " << view.contacts.size() << " contact" << (view.contacts.size() == 1 ? "" : "s")
            << "\n";
    for (const Contact& c : view.contacts) {
        env.out << "contact " << c.id << "  " << IsoTime(c.start_unix_s, args.local) << " .. "
                << IsoTime(c.end_unix_s, args.local) << "  " << Minutes(c.DurationSeconds())
                << "  attenuation min " << c.min_attenuation_db << " dB typical "
                << c.typical_attenuation_db << " dB  sightings " << c.sightings << "  rpis";
        for (const RpiRun& r : c.rpis) env.out << ' ' << r.rpi_prefix;
        if (c.link == ContactLink::kKey) env.out << "  (one key)";
        if (!c.may_continue.empty()) {
            env.out << "  may continue contact";
            for (int id : c.may_continue) env.out << ' ' << id;
        }
        env.out << "\n";
    }
    if (view.skipped_rows > 0) {
        env.out << "skipped " << view.skipped_rows << " unreadable sighting rows\n";
    }
}

// The default rule's close range and the minutes a day it needs, from the risk code: the
// highest attenuation border of a bucket with weight, and the notify score over that weight.
SvgRule DefaultRuleForPicture() {
    auto rule = RiskPreset(DefaultRiskPresetName());
    if (!rule.ok()) Fail(rule.status(), "encounters: default risk rule");
    SvgRule out;
    out.name = std::string(DefaultRiskPresetName());
    double weight = 0;
    for (size_t i = 0; i < rule->daily.attenuation_thresholds_db.size(); ++i) {
        if (rule->daily.attenuation_weights[i] <= 0) continue;
        out.close_up_to_db = rule->daily.attenuation_thresholds_db[i];
        weight = std::max(weight, rule->daily.attenuation_weights[i]);
    }
    if (weight > 0) {
        out.minutes_per_day = static_cast<int>(rule->notify_score_sum / weight / 60 + 0.5);
    }
    return out;
}

void RunEncounters(const EncountersArgs& args, CliEnv& env) {
    const DayView view = Load(args, env);
    Print(view, args, env);
    if (args.svg.empty()) return;
    SvgOptions svg;
    svg.from_unix_s = view.from_unix_s;
    svg.to_unix_s = view.to_unix_s;
    svg.rule = DefaultRuleForPicture();
    svg.local_time = args.local;
    svg.title = "People your device was near on " + IsoDay(int64_t{view.day} * 86400) + " (" +
                DayKind(view, args.local) + "): " + std::to_string(view.contacts.size()) +
                (view.contacts.size() == 1 ? " contact" : " contacts");
    AtomicWriteOptions write;
    write.mode = 0600;  // the owner's own encounters: as private as the store
    FailIfError(WriteFileAtomically(args.svg, RenderAttenuationSvg(view.contacts, svg), write),
                "encounters --svg");
}

}  // namespace

void RegisterEncountersCommands(CLI::App& app, CliEnv& env) {
    auto args = std::make_shared<EncountersArgs>();
    CLI::App* cmd = app.add_subcommand(
        "encounters", "The device's own encounters of one day, grouped into contacts");
    cmd->add_option("--day", args->day,
                    "Day YYYY-MM-DD, a UTC day (a local day with --local; default: today)");
    cmd->add_flag("--json", args->json, "Print JSON");
    cmd->add_option("--svg", args->svg,
                    "Also draw the day into this SVG file: how close each contact came over time, "
                    "in rough distances, with a legend");
    cmd->add_flag("--local", args->local,
                  "Local time instead of UTC: --day selects a local day, times and the picture "
                  "in local time");
    cmd->add_option("--keys", args->keys,
                    "Export files or directories: their keys join their own RPIs and give the "
                    "senders' real TX power")
        ->check(CLI::ExistingPath);
    cmd->add_option("--pubkey", args->pubkey,
                    "PEM public key for --keys (instead of diagnosis.public_keys)");
    cmd->callback([args, &env] { RunEncounters(*args, env); });
}

}  // namespace jejak
