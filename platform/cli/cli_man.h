// Man pages generated from the programs' own CLI11 app trees (`PROGRAM --man-page`, hidden):
// every command, every option with its argument, description and default, and the
// hand-written sections a program adds (FILES, SIGNALS, EXIT STATUS, ENVIRONMENT, ...), so the
// page cannot drift from the binary. cmake/man_page.cmake runs it at build time into
// build/man/.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace jejak {

struct CliProgram;

// One hand-written section: its title and its body in roff (man(7) macros).
struct ManSection {
    std::string title;
    std::string roff;
};

// What a program's page says beyond its CLI definitions.
struct ManPageText {
    std::string summary;               // NAME line after "PROGRAM \-"
    std::string description;           // DESCRIPTION body, roff
    std::vector<ManSection> sections;  // after COMMANDS, in this order
};

// Text for roff: backslashes and hyphens escaped, a leading '.' or '\'' neutralised.
std::string RoffEscape(std::string_view text);

// Every command of the tree below `app` as its words after the program name ("store status"),
// depth first in the order they were added; groups and leaves alike.
std::vector<std::string> CommandPaths(const CLI::App& app);

// The whole page, section 1, for `program` whose commands are registered in `app`.
std::string RenderManPage(const CliProgram& program, const CLI::App& app);

}  // namespace jejak
