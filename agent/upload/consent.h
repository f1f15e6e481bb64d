// The owner's consent before anything leaves the device: the summary says exactly what
// will be sent (how many keys, their UTC days, where to) and the owner must type "yes" on
// a terminal (or have given --yes). Anything else, including no terminal at all, is a
// refusal.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "gaen/api/ekeyhmac.h"
#include "platform/base/status.h"

namespace jejak {

struct ConsentSummary {
    size_t key_count = 0;
    std::vector<uint32_t> days;             // distinct UTC days of the keys, ascending
    std::vector<std::string> destinations;  // servers (URLs) or the file to be written
};

// The summary of `keys` going to `destinations`.
ConsentSummary SummarizeKeys(std::span<const ExposureKey> keys,
                             std::vector<std::string> destinations);
// The lines shown to the owner, e.g.
//   about to send 3 of this device's own daily keys (nothing else: no encounters, no location)
//   key days (UTC): 2026-11-25, 2026-11-26, 2026-11-27
//   to: https://verify.example.org (verification), https://keys.example.org (keys)
std::string ConsentText(const ConsentSummary& summary, const std::string& verb);

// Where the answer comes from. The CLI uses standard input when it is a terminal.
class ConsentTerminal {
public:
    virtual ~ConsentTerminal() = default;
    // True when a person can answer (the input is a terminal).
    virtual bool Interactive() const = 0;
    // One line without its newline; nullopt at end of input or on a read error.
    virtual std::optional<std::string> ReadLine() = 0;
};

// Standard input (consent_tty.cc): interactive only when it is a terminal.
std::unique_ptr<ConsentTerminal> NewStdinConsentTerminal();

enum class ConsentAnswer { kYes, kNo, kNoTerminal };

// Writes `prompt` to `out` and reads one line: kYes only for "yes" (any case, surrounding
// spaces ignored); kNoTerminal without asking when the terminal is not interactive.
ConsentAnswer AskConsent(ConsentTerminal& terminal, std::ostream& out, const std::string& prompt);

// The whole gate: prints ConsentText(summary, "about to " + verb) to `out`, then OK when
// `given_up_front` (--yes) or the owner types yes; otherwise InvalidArgument saying nothing
// was `done` ("sent", "written") and how to consent.
Status ObtainConsent(const ConsentSummary& summary, const std::string& verb,
                     const std::string& done, bool given_up_front, ConsentTerminal& terminal,
                     std::ostream& out);

}  // namespace jejak
