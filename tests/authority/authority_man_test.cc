// jejak-authority(1) is generated from the program's own CLI definitions: every command and
// option is in it, with its FILES, SIGNALS and EXIT STATUS (regression: the page was
// its --help text).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "authority/cli/cli_authority.h"
#include "platform/cli/cli_man.h"
#include "platform/base/clock.h"
#include "tests/support/child_process.h"

namespace jejak {

TEST_CASE("jejak-authority(1) names every command and option of its app tree") {
    std::ifstream in(std::string(JEJAK_BINARY_DIR) + "/man/jejak-authority.1");
    std::stringstream text;
    text << in.rdbuf();
    const std::string man = text.str();
    REQUIRE_FALSE(man.empty());
    std::ostringstream out, err;
    const ManualClock clock(0);
    CliEnv env(out, err, clock, false);
    CLI::App app;
    BuildCliApp(AuthorityProgram(), app, env);
    CHECK(man == RenderManPage(AuthorityProgram(), app));
    CHECK(man.find(".TH JEJAK-AUTHORITY \"1\"") != std::string::npos);

    const std::vector<std::string> paths = CommandPaths(app);
    CHECK(paths.size() >= 4);  // init, issue-code, serve, export
    for (const std::string& path : paths) {
        const size_t at = man.find(".SS \"" + RoffEscape("jejak-authority " + path) + "\"\n");
        REQUIRE_MESSAGE(at != std::string::npos, path);
        const std::string section = man.substr(at, man.find("\n.S", at + 1) - at);
        CLI::App* command = &app;  // a path may be nested ("user add")
        std::istringstream words(path);
        for (std::string word; words >> word;) command = command->get_subcommand(word);
        for (const CLI::Option* opt : command->get_options()) {
            if (opt->get_group().empty() || opt == command->get_help_ptr()) {
                continue;
            }
            const std::string name = opt->get_name(true, false);
            CHECK_MESSAGE(section.find(RoffEscape(name)) != std::string::npos, path, " ", name);
        }
    }
    for (const char* title :
         {".SH \"FILES\"\n", ".SH \"SIGNALS\"\n", ".SH \"EXIT STATUS\"\n", ".SH \"ENVIRONMENT\"\n",
          ".SH \"EXAMPLES\"\n", "/var/lib/jejak\\-authority"}) {
        CHECK_MESSAGE(man.find(title) != std::string::npos, title);
    }
    const auto groff =
        testing::RunProcess({"/bin/sh", "-c", "exec groff -man -ww -z -Tutf8 \"$0\"",
                             std::string(JEJAK_BINARY_DIR) + "/man/jejak-authority.1"});
    CHECK_MESSAGE(groff.code == 0, groff.err);
    CHECK_MESSAGE(groff.err.empty(), groff.err);
}

}  // namespace jejak
