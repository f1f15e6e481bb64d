// Standard input as the consent terminal: read byte by byte with read(2), so nothing beyond
// the answer's line is consumed and no stdio buffer holds it afterwards.
#include <unistd.h>

#include <cerrno>

#include "agent/upload/consent.h"

namespace jejak {
namespace {

class StdinConsentTerminal : public ConsentTerminal {
public:
    bool Interactive() const override { return isatty(STDIN_FILENO) == 1; }

    std::optional<std::string> ReadLine() override {
        std::string line;
        for (;;) {
            char c = 0;
            const ssize_t n = read(STDIN_FILENO, &c, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return line.empty() ? std::nullopt : std::optional<std::string>(line);
            if (c == '\n') return line;
            if (line.size() < 256) line += c;
        }
    }
};

}  // namespace

std::unique_ptr<ConsentTerminal> NewStdinConsentTerminal() {
    return std::make_unique<StdinConsentTerminal>();
}

}  // namespace jejak
