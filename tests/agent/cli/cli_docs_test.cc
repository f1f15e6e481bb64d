// The man page generated at build time and the bash completion both describe the CLI that
// was built: the page carries every command group, the completion offers the binary's own
// commands and options.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/cli/cli.h"
#include "platform/cli/cli_man.h"
#include "platform/base/clock.h"
#include "tests/support/child_process.h"

namespace jejak {
namespace {

std::string Complete(const std::string& line_words, int cword) {
    const std::string script = "source '" + std::string(JEJAK_SOURCE_DIR) +
                               "/agent/cli/jejak.bash-completion'; " + "COMP_WORDS=(" + line_words +
                               "); COMP_CWORD=" + std::to_string(cword) +
                               "; _jejak; printf '%s\\n' \"${COMPREPLY[@]}\"";
    const auto run = testing::RunProcess({"/bin/bash", "-c", script});
    REQUIRE(run.code == 0);
    return run.out;
}

std::string Slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The text of one section (".SH "TITLE"" up to the next ".SH").
std::string Section(const std::string& man, const std::string& title) {
    const size_t at = man.find(".SH \"" + title + "\"\n");
    if (at == std::string::npos) return "";
    return man.substr(at, man.find("\n.SH ", at + 1) - at);
}

}  // namespace

TEST_CASE("the generated man page documents the commands, exit status and version") {
    const std::string page = std::string(JEJAK_BINARY_DIR) + "/man/jejak.1";
    REQUIRE(std::filesystem::exists(page));
    std::ifstream in(page);
    std::stringstream text;
    text << in.rdbuf();
    const std::string man = text.str();
    CHECK(man.find(".TH JEJAK \"1\"") != std::string::npos);
    CHECK(man.find(JEJAK_VERSION_FOR_TESTS) != std::string::npos);
    for (const char* word : {"encounters", "scan", "store", "keys", "match", "run", "EXIT STATUS",
                             "\\-\\-state\\-dir"}) {
        CHECK_MESSAGE(man.find(word) != std::string::npos, word);
    }
}

TEST_CASE("bash completion offers the built binary's commands and options") {
    const std::string jejak = testing::HostRunnable("jejak");
    REQUIRE(std::filesystem::exists(jejak));
    CHECK(Complete(jejak + " ''", 1).find("encounters\n") != std::string::npos);
    const std::string st = Complete(jejak + " st", 1);  // in the binary's --help order
    CHECK(st.size() == std::string("status\nstore\n").size());
    CHECK(st.find("status\n") != std::string::npos);
    CHECK(st.find("store\n") != std::string::npos);
    CHECK(Complete(jejak + " --state-dir /tmp store ''", 4) == "status\nverify\nwipe\n");
    const std::string options = Complete(jejak + " encounters --", 2);
    CHECK(options.find("--day\n") != std::string::npos);
    CHECK(options.find("--svg\n") != std::string::npos);
    CHECK(options.find("--state-dir\n") != std::string::npos);
}

TEST_CASE("jejak(1) is generated from the CLI definitions: every command and option is in it") {
    // Regression: the help2man page omitted eval and authority and every
    // per-command option. Walk the very app tree jejak parses with.
    const std::string man = Slurp(std::string(JEJAK_BINARY_DIR) + "/man/jejak.1");
    REQUIRE_FALSE(man.empty());
    std::ostringstream out, err;
    const ManualClock clock(0);
    CliEnv env(out, err, clock, false);
    CLI::App app;
    BuildCliApp(JejakProgram(), app, env);
    CHECK(man == RenderManPage(JejakProgram(), app));  // the build ran this very generator

    const std::vector<std::string> paths = CommandPaths(app);
    for (const char* expected : {"eval", "authority", "encounters", "store status", "keys fetch"}) {
        CHECK_MESSAGE(std::find(paths.begin(), paths.end(), expected) != paths.end(), expected);
    }
    for (const std::string& path : paths) {
        const std::string heading = ".SS \"" + RoffEscape("jejak " + path) + "\"\n";
        const size_t at = man.find(heading);
        REQUIRE_MESSAGE(at != std::string::npos, path);
        const std::string section = man.substr(at, man.find("\n.S", at + 1) - at);
        CLI::App* cmd = &app;
        std::stringstream words(path);
        for (std::string word; words >> word;) cmd = cmd->get_subcommand(word);
        for (const CLI::Option* opt : cmd->get_options()) {
            if (opt->get_group().empty() || opt == cmd->get_help_ptr()) continue;
            const std::string name = opt->get_name(true, false);
            CHECK_MESSAGE(section.find(RoffEscape(name)) != std::string::npos, path, " ", name);
        }
    }
}

TEST_CASE("jejak(1) has true FILES, SIGNALS, EXIT STATUS, ENVIRONMENT, radio specs, examples") {
    const std::string man = Slurp(std::string(JEJAK_BINARY_DIR) + "/man/jejak.1");
    // Regression: FILES listed /etc/jejak/config.json while the binary reads jejak.toml first.
    const std::string files = Section(man, "FILES");
    REQUIRE_FALSE(files.empty());
    CHECK(files.find(".I /etc/jejak/jejak.toml\n") < files.find("config.json"));
    CHECK(files.find(".I /var/lib/jejak\n") != std::string::npos);
    CHECK(Section(man, "SIGNALS").find("SIGHUP") != std::string::npos);
    CHECK(Section(man, "SIGNALS").find("SIGTERM") != std::string::npos);
    CHECK(Section(man, "EXIT STATUS").find(".B 2\n") != std::string::npos);
    CHECK(Section(man, "ENVIRONMENT").find("JEJAK_SIM_CLOCK") != std::string::npos);
    const std::string radio = Section(man, "RADIO SPECS");
    for (const char* spec : {".B hci0", ".B uart:", ".B unix:", ".B sim:"}) {
        CHECK_MESSAGE(radio.find(spec) != std::string::npos, spec);
    }
    CHECK(Section(man, "EXAMPLES").find("jejak encounters") != std::string::npos);
    // groff (as man(1) and lintian render it) has nothing to warn about.
    const auto groff = testing::RunProcess(
        {"/bin/sh", "-c", "exec groff -man -ww -z -Tutf8 \"$0\"", std::string(JEJAK_BINARY_DIR) +
                                                                    "/man/jejak.1"});
    CHECK_MESSAGE(groff.code == 0, groff.err);
    CHECK_MESSAGE(groff.err.empty(), groff.err);
}

}  // namespace jejak
