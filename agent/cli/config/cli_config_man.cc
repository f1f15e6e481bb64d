// jejak.toml(5) from the schema table.
#include "agent/cli/config/cli_config_man.h"

#include <string>
#include <string_view>

#include "agent/config/config_schema.h"

namespace jejak {
namespace {

// Text safe in a roff line: backslashes and hyphens escaped, no leading control character.
std::string Roff(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
    }
    if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
    return out;
}

std::string TypeName(const ConfigKey& key) {
    switch (key.type) {
        case ConfigType::kString: return "string";
        case ConfigType::kBool: return "boolean";
        case ConfigType::kInt: return "integer";
        case ConfigType::kNumber: return "number";
        case ConfigType::kChoice: return "string";
        case ConfigType::kStringList: return "array of strings";
        case ConfigType::kTable: return "inline table";
        case ConfigType::kList: return "array";
        case ConfigType::kStringOrList: return "string or array";
    }
    return "";
}

void WriteKey(const ConfigKey& key, std::ostream& out) {
    out << ".TP\n.B " << Roff(key.key) << "\n" << TypeName(key);
    const std::string range = ConfigRangeText(key);
    if (!range.empty()) out << ", " << Roff(range);
    out << ", default " << (key.fallback.empty() ? "unset" : Roff(key.fallback));
    if (!key.profiles.empty()) out << " (per profile: " << Roff(key.profiles) << ")";
    out << ".\n" << Roff(key.doc) << ".\n";
}

void WriteHeader(std::ostream& out) {
    out << ".TH JEJAK.TOML 5 \"\" \"jejak\" \"File Formats\"\n"
        << ".SH NAME\njejak.toml \\- configuration of the Jejak exposure notification agent\n"
        << ".SH SYNOPSIS\n/etc/jejak/jejak.toml, or the file given with \\fB\\-\\-config\\fR\n"
        << ".SH DESCRIPTION\nOne TOML file with one table per subsystem. Every key is optional. "
        << "Unknown sections and keys, values of the wrong type and numbers outside their range "
        << "are errors for every command, each named with the file, line and column (and the "
        << "nearest known name for a typo); \\fBjejak config check\\fR lists them all and "
        << "\\fBjejak config show\\fR prints the effective value of every key and whether it "
        << "came from the file, a preset (\\fBradio.profile\\fR, \\fBrisk.preset\\fR) or the "
        << "default. A file named *.json with the same sections and keys is read as JSON.\n"
        << "\\fBjejak run\\fR re-reads [radio] on SIGHUP.\n";
}

}  // namespace

void WriteConfigManPage(std::ostream& out) {
    WriteHeader(out);
    out << ".SH SECTIONS AND KEYS\n";
    for (const ConfigSection& section : ConfigSections()) {
        out << ".SS [" << Roff(section.name) << "]\n" << Roff(section.doc) << ".\n";
        for (const ConfigKey& key : ConfigKeys()) {
            if (key.section == section.name) WriteKey(key, out);
        }
    }
    out << ".SH EXAMPLE\n.nf\n[radio]\nspec = \"hci0\"\nprofile = \"venue\"\n\n[store]\n"
        << "passphrase_credential = \"jejak\\-store\"\n\n[risk]\n"
        << "notify_threshold = { score_sum = 900 }\n.fi\n"
        << ".SH FILES\n.TP\n.I /etc/jejak/jejak.toml\nthe configuration (a commented example "
        << "is installed with the package)\n.TP\n.I /etc/jejak/config.json\nread instead when "
        << "jejak.toml is absent (installations from before the TOML file)\n"
        << ".SH SEE ALSO\n\\fBjejak\\fR(1), \\fBjejak\\-authority\\fR(1), \\fBsystemd.exec\\fR(5)\n";
}

}  // namespace jejak
