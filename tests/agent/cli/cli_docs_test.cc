// The man page generated at build time and the bash completion both describe the CLI that
// was built: the page carries every command group, the completion offers the binary's own
// commands and options.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/agent/cli/cli_process.h"

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

}  // namespace jejak
