// `jejak keys ...`: the device's own keys and the diagnosis keys of others.
//   jejak keys derive --tek HEX|BASE64|- --interval ENIN [--count N] [--metadata HEX] [--json]
//     Prints the rolling proximity identifiers (and AEMs) of a TEK: the one command whose
//     purpose is to show key-derived bytes; nothing else prints them. `--tek -` reads the
//     TEK from the first line of stdin, so it never appears in argv (/proc/*/cmdline).
//   jejak keys export --field-test --out FILE.zip --signing-key PEM [--key-id ID]
//                     [--key-version V] [--days N]
//     Field tests and demos only (refused without --field-test): writes the stored TEKs of the
//     last N days (default 14, today included) as export.zip signed with ECDSA P-256, playing
//     the health authority; prints only how many keys it wrote.
//   jejak keys export --for-diagnosis --out FILE [--yes]
//     Offline tokens: after the same consent as `jejak report`, writes the keys a report
//     would send in the publish API's key shape; a sync station uploads the file with
//     `jejak report --code CODE --keys-from FILE`. Today's key is released as in a report.
//   jejak keys fetch
//     Incremental, verified download of export files from the key server in the config's
//     "diagnosis" section. Exit 0 when every new file verified, 1 when a file was rejected or
//     the server could not be reached, 2 for a bad configuration.
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "agent/cli/status/cli_clock_offset.h"
#include "agent/config/config.h"
#include "agent/config/store_config.h"
#include "gaen/export/export_write.h"
#include "agent/diagnosis/key_fetch.h"
#include "agent/upload/consent.h"
#include "agent/upload/upload_json.h"
#include "agent/upload/upload_keys.h"
#include "platform/base/atomic_file.h"
#include "crypto/ecdsa/ecdsa_sign.h"
#include "gaen/keys/interval.h"
#include "gaen/keys/key_schedule.h"
#include "gaen/keys/rpi_batch.h"
#include "platform/base/base64.h"
#include "platform/base/clock.h"
#include "platform/base/hex.h"
#include "platform/base/progress.h"

namespace jejak {
namespace {

struct DeriveArgs {
    std::string tek_hex;
    std::string interval;
    std::string count = "1";
    std::string metadata_hex;
    bool json = false;
};

[[noreturn]] void Usage(const std::string& message) { throw CliError(kExitUsage, message); }

// Strict unsigned decimal: digits only, no sign, no spaces, within [lo, hi].
uint64_t ParseUnsigned(const std::string& text, const char* what, uint64_t lo, uint64_t hi) {
    uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < lo || value > hi) {
        Usage(std::string(what) + ": '" + text + "' is not a whole number in " +
              std::to_string(lo) + ".." + std::to_string(hi));
    }
    return value;
}

// Unix seconds from 2001-09-09 to 2100-01-01: as interval numbers these would be years
// 20,000 and later, so such a value is a time given where an interval number belongs.
constexpr uint64_t kUnixSecondsFrom = 1000000000;
constexpr uint64_t kUnixSecondsTo = 4102444800;

EnIntervalNumber ParseInterval(const std::string& text) {
    const uint64_t value = ParseUnsigned(text, "--interval", 0, UINT32_MAX);
    if (value >= kUnixSecondsFrom && value < kUnixSecondsTo) {
        Usage("--interval: " + text + " looks like Unix seconds; the interval number is Unix "
              "seconds / 600, here " + std::to_string(value / static_cast<uint64_t>(kIntervalSeconds)));
    }
    return static_cast<EnIntervalNumber>(value);
}

// --tek in hex or base64, or "-": one line from standard input (keeps the key out of the
// process list and shell history).
Tek ReadTek(DeriveArgs& args, std::istream& in) {
    std::string text;
    if (args.tek_hex == "-") {
        std::getline(in, text);
    } else {
        text.swap(args.tek_hex);
    }
    Tek tek;
    Status s = KeyTextDecodeExact(text, tek.mutable_bytes(), "--tek");
    SecureZero(text.data(), text.size());
    if (!s.ok()) Usage(s.message());
    return tek;
}

void RunDerive(DeriveArgs& args, CliEnv& env) {
    const Tek tek = ReadTek(args, std::cin);
    const EnIntervalNumber first = ParseInterval(args.interval);
    const auto count = static_cast<uint32_t>(
        ParseUnsigned(args.count, "--count", 1, kTekRollingPeriod));
    if (uint64_t{first} + count - 1 > UINT32_MAX) {
        Usage("--interval + --count runs past the last ENIntervalNumber (4294967295)");
    }
    const bool with_aem = !args.metadata_hex.empty();
    MetadataBytes metadata{};
    if (with_aem) {
        if (Status m = HexDecodeExact(args.metadata_hex, metadata, "--metadata"); !m.ok()) {
            Usage(m.message());
        }
    }

    std::vector<Rpi> rpis(count);
    if (Status d = RpiDeriver().Derive(tek, first, rpis); !d.ok()) {
        throw CliError(d.IsInvalidArgument() ? kExitUsage : kExitFailure, d.message());
    }
    Aemk aemk;
    if (with_aem) aemk = DeriveAemk(tek);

    nlohmann::json array = nlohmann::json::array();
    for (uint32_t j = 0; j < count; ++j) {
        const std::string rpi_hex = HexEncode(rpis[j]);
        std::string aem_hex;
        if (with_aem) {
            Result<Aem> aem = CryptMetadata(aemk, rpis[j], metadata);
            if (!aem.ok()) throw CliError(kExitFailure, "keys derive: " + aem.status().message());
            aem_hex = HexEncode(*aem);
        }
        if (args.json) {
            nlohmann::json row{{"enin", first + j}, {"rpi", rpi_hex}};
            if (with_aem) row["aem"] = aem_hex;
            array.push_back(std::move(row));
        } else {
            env.out << (first + j) << ' ' << rpi_hex;
            if (with_aem) env.out << ' ' << aem_hex;
            env.out << '\n';
        }
    }
    if (args.json) env.out << array.dump(2) << '\n';
}

struct ExportArgs {
    std::string out;
    std::string signing_key;
    std::string key_id = "jejak-demo";
    std::string key_version = "v1";
    int days = kDefaultRetentionDays;
    bool field_test = false;
    bool for_diagnosis = false;
    bool yes = false;
};

// The PEM is read into one buffer of the file's size (no stream buffer or reallocation
// keeps a copy) and zeroed as soon as the key is parsed.
EcdsaP256PrivateKey LoadSigningKey(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw CliError(kExitUsage, "--signing-key " + path + ": cannot read");
    const std::streamoff size = in.tellg();
    if (size < 0 || size > (1 << 20)) throw CliError(kExitUsage, "--signing-key " + path + ": not a PEM key");
    std::string pem(static_cast<size_t>(size), '\0');
    in.seekg(0);
    in.read(pem.data(), size);
    if (!in) {
        SecureZero(pem.data(), pem.size());
        throw CliError(kExitUsage, "--signing-key " + path + ": cannot read");
    }
    auto key = EcdsaP256PrivateKey::FromPem(pem);
    SecureZero(pem.data(), pem.size());
    if (!key.ok())
        throw CliError(kExitUsage, "--signing-key " + path + ": " + key.status().message());
    return std::move(key).value();
}

// --for-diagnosis: the keys a report would send, after consent, as an offline key file.
void RunDiagnosisExport(const ExportArgs& args, CliEnv& env) {
    auto store = OpenConfiguredStore(env, env.clock, /*create=*/false);
    if (!store.ok()) Fail(store.status(), "keys export");
    Result<EnIntervalNumber> now = IntervalFromUnixSeconds(env.clock.NowUnixMicros() / 1000000);
    if (!now.ok()) Fail(now.status(), "keys export");
    Result<UploadSelection> selection = SelectUploadKeys(**store, *now);
    if (!selection.ok()) Fail(selection.status(), "keys export");
    if (selection->keys.empty()) throw CliError(kExitFailure, "keys export: no keys to export");
    FailIfError(ObtainConsent(SummarizeKeys(selection->keys, {args.out}), "write", "written",
                              args.yes, *NewStdinConsentTerminal(), env.out),
                "keys export");
    std::string text = KeyFileText(selection->keys);
    Status written = WriteFileAtomically(args.out, text);
    SecureZero(text.data(), text.size());
    FailIfError(written, "keys export");
    SystemRandom random;
    FailIfError(ReleaseTodaysKey(**store, *selection, random),
                "keys export: written, but starting a new key failed");
    env.out << "wrote " << selection->keys.size() << " keys for diagnosis to " << args.out
            << "\n";
}

void RunExport(const ExportArgs& args, CliEnv& env) {
    if (args.for_diagnosis) return RunDiagnosisExport(args, env);
    if (!args.field_test) {
        throw CliError(kExitUsage,
                       "keys export: the signed export.zip is a field-test tool and needs "
                       "--field-test (to hand keys to a health authority: jejak report, or "
                       "keys export --for-diagnosis)");
    }
    if (args.signing_key.empty()) {
        throw CliError(kExitUsage, "keys export: --field-test needs --signing-key PEM");
    }
    const EcdsaP256PrivateKey key = LoadSigningKey(args.signing_key);
    auto store = OpenConfiguredStore(env, env.clock, /*create=*/false);
    if (!store.ok()) Fail(store.status(), "keys export");
    const int64_t now_s = env.clock.NowUnixMicros() / 1000000;
    const UtcDay today = UtcDayOfUnixSeconds(now_s);
    const auto back = static_cast<UtcDay>(args.days - 1);
    const DayRange days{today >= back ? today - back : 0, today};
    std::vector<StoredTek> rows;
    auto read = (*store)->ForEachTek(days, [&rows](const StoredTek& t) { rows.push_back(t); });
    if (!read.ok()) throw CliError(kExitFailure, "keys export: " + read.status().message());
    std::vector<DiagnosisKey> keys;
    for (const StoredTek& t : EffectiveTeks(rows)) {
        DiagnosisKey k;
        k.key = t.tek;
        k.rolling_start_interval_number = t.rolling_start;
        k.rolling_period = t.rolling_period;
        k.report_type = ReportType::kConfirmedTest;
        keys.push_back(std::move(k));
    }
    ExportWriteOptions options;
    options.key_id = args.key_id;
    options.key_version = args.key_version;
    options.start_timestamp = static_cast<uint64_t>(days.first) * 86400;
    options.end_timestamp = static_cast<uint64_t>(now_s);
    FailIfError(WriteSignedExport(args.out, keys, key, options), "keys export");
    env.out << "exported " << keys.size() << " keys (" << args.days << " days) to " << args.out
            << "\n";
    if (!read->clean()) {
        env.out << "skipped " << read->problems.size() << " unreadable key rows\n";
    }
}

void RunFetch(CliEnv& env) {
    Result<nlohmann::json> section = LoadConfigSection(env, "diagnosis");
    if (!section.ok()) throw CliError(kExitUsage, section.status().message());
    Result<DiagnosisConfig> config = ParseDiagnosisConfig(*section, env.state_dir);
    if (!config.ok()) throw CliError(kExitUsage, config.status().message());
    HttpClientOptions http_options;
    http_options.allow_http_loopback = config->allow_http_loopback;
    http_options.proxy = config->proxy;
    http_options.ca_file = config->ca_file;
    http_options.tls_hint =
        "to trust a private CA, set [diagnosis] ca_file to the PEM file of the key server's CA";
    std::unique_ptr<HttpClient> curl = NewCurlHttpClient(http_options);
    DateRecordingHttpClient http(*curl, env.clock);  // the server's clock, for `status`
    ProgressReporter progress(env.err, IsTerminal(STDERR_FILENO), env.clock, "fetching", "files");
    KeyFetcher fetcher(*config, http, env.state_dir + "/diagnosis-fetch-state.json", &progress);
    Result<FetchReport> report = fetcher.Run();
    KeepClockOffset(http.last(), "keys fetch", env);
    if (!report.ok()) throw CliError(ExitCodeFor(report.status()), report.status().message());
    if (report->index_not_modified) env.out << "index not modified\n";
    for (const std::string& entry : report->accepted) env.out << "accepted " << entry << "\n";
    for (const std::string& why : report->rejected) env.out << "rejected " << why << "\n";
    env.out << report->accepted.size() << " new, " << report->rejected.size() << " rejected, "
            << report->already_present << " already present in " << config->download_dir << "\n";
    if (!report->rejected.empty()) {
        throw CliError(kExitFailure, std::to_string(report->rejected.size()) +
                                         " downloaded file(s) failed verification");
    }
}

}  // namespace

void RegisterKeysCommands(CLI::App& app, CliEnv& env) {
    CLI::App& keys = *app.add_subcommand("keys", "Key schedule tools (derive, export, fetch)");
    keys.require_subcommand(1);
    auto args = std::make_shared<DeriveArgs>();
    CLI::App* derive = keys.add_subcommand(
        "derive", "Print the RPIs (and AEMs) a TEK broadcasts over consecutive intervals");
    derive->add_option("--tek", args->tek_hex,
                       "Temporary Exposure Key: 32 hex digits or base64; '-' reads it from stdin")
        ->required();
    derive->add_option("--interval", args->interval, "First ENIntervalNumber (unix seconds / 600)")
        ->required();
    derive->add_option("--count", args->count, "Number of consecutive intervals, 1..144");
    derive->add_option("--metadata", args->metadata_hex,
                       "4-byte plaintext metadata in hex (e.g. 40080000); prints the AEM too");
    derive->add_flag("--json", args->json, "Print a JSON array instead of lines");
    derive->callback([args, &env] { RunDerive(*args, env); });

    auto export_args = std::make_shared<ExportArgs>();
    CLI::App* out = keys.add_subcommand(
        "export",
        "Field tests: this device's own TEKs as a signed export.zip (--field-test); offline "
        "tokens: the keys for a diagnosis upload (--for-diagnosis)");
    out->add_option("--out", export_args->out, "File to write")->required();
    CLI::Option* field_test = out->add_flag(
        "--field-test", export_args->field_test,
        "Write a signed export.zip playing the health authority (field tests, demos only)");
    CLI::Option* diagnosis = out->add_flag(
        "--for-diagnosis", export_args->for_diagnosis,
        "After consent, write the keys in the publish API's JSON shape for a sync station");
    diagnosis->excludes(field_test);
    out->add_flag("--yes", export_args->yes, "With --for-diagnosis: consent given, do not ask")
        ->needs(diagnosis);
    out->add_option("--signing-key", export_args->signing_key, "PEM ECDSA P-256 private key")
        ->excludes(diagnosis);
    out->add_option("--key-id", export_args->key_id, "SignatureInfo verification_key_id");
    out->add_option("--key-version", export_args->key_version,
                    "SignatureInfo verification_key_version");
    out->add_option("--days", export_args->days, "Days of keys, today included")
        ->check(CLI::Range(kMinRetentionDays, kMaxRetentionDays));
    out->callback([export_args, &env] { RunExport(*export_args, env); });

    CLI::App* fetch = keys.add_subcommand(
        "fetch", "Download new diagnosis key exports (config section \"diagnosis\")");
    fetch->callback([&env] { RunFetch(env); });
}

}  // namespace jejak
