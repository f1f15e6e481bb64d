// `jejak keys derive`: print the rolling proximity identifiers (and AEMs) of a TEK.
// The one command whose purpose is to show key-derived bytes; nothing else prints them.
#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/cli/cli.h"
#include "crypto/key_schedule.h"
#include "crypto/rpi_batch.h"
#include "platform/base/hex.h"

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

void RunDerive(DeriveArgs& args, CliEnv& env) {
    Tek tek;
    Status s = HexDecodeExact(args.tek_hex, tek.mutable_bytes(), "--tek");
    SecureZero(args.tek_hex.data(), args.tek_hex.size());
    if (!s.ok()) Usage(s.message());
    const auto first = static_cast<EnIntervalNumber>(
        ParseUnsigned(args.interval, "--interval", 0, UINT32_MAX));
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

}  // namespace

void RegisterKeysCommands(CLI::App& keys, CliEnv& env) {
    auto args = std::make_shared<DeriveArgs>();
    CLI::App* derive = keys.add_subcommand(
        "derive", "Print the RPIs (and AEMs) a TEK broadcasts over consecutive intervals");
    derive->add_option("--tek", args->tek_hex, "Temporary Exposure Key, 32 hex digits")
        ->required();
    derive->add_option("--interval", args->interval, "First ENIntervalNumber (unix seconds / 600)")
        ->required();
    derive->add_option("--count", args->count, "Number of consecutive intervals, 1..144");
    derive->add_option("--metadata", args->metadata_hex,
                       "4-byte plaintext metadata in hex (e.g. 40080000); prints the AEM too");
    derive->add_flag("--json", args->json, "Print a JSON array instead of lines");
    derive->callback([args, &env] { RunDerive(*args, env); });
}

}  // namespace jejak
