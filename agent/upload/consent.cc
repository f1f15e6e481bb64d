// Consent summary and the yes/no question.
#include "agent/upload/consent.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "agent/upload/upload_json.h"
#include "gaen/keys/interval.h"

namespace jejak {

ConsentSummary SummarizeKeys(std::span<const ExposureKey> keys,
                             std::vector<std::string> destinations) {
    ConsentSummary s;
    s.key_count = keys.size();
    std::set<uint32_t> days;
    for (const ExposureKey& k : keys) days.insert(DayOfInterval(k.rolling_start_number));
    s.days.assign(days.begin(), days.end());
    s.destinations = std::move(destinations);
    return s;
}

std::string ConsentText(const ConsentSummary& summary, const std::string& verb) {
    std::string text = verb + " " + std::to_string(summary.key_count) +
                       " of this device's own daily keys (nothing else: no encounters, no "
                       "location)\nkey days (UTC):";
    for (size_t i = 0; i < summary.days.size(); ++i) {
        text += (i == 0 ? " " : ", ") + FormatUtcDay(summary.days[i]);
    }
    text += "\nto:";
    for (size_t i = 0; i < summary.destinations.size(); ++i) {
        text += (i == 0 ? " " : ", ") + summary.destinations[i];
    }
    return text + "\n";
}

ConsentAnswer AskConsent(ConsentTerminal& terminal, std::ostream& out, const std::string& prompt) {
    if (!terminal.Interactive()) return ConsentAnswer::kNoTerminal;
    out << prompt << std::flush;
    std::optional<std::string> line = terminal.ReadLine();
    if (!line) return ConsentAnswer::kNo;
    std::string answer = *line;
    answer.erase(answer.begin(), std::find_if(answer.begin(), answer.end(),
                                              [](unsigned char c) { return !std::isspace(c); }));
    while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back()))) {
        answer.pop_back();
    }
    std::transform(answer.begin(), answer.end(), answer.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return answer == "yes" ? ConsentAnswer::kYes : ConsentAnswer::kNo;
}

Status ObtainConsent(const ConsentSummary& summary, const std::string& verb,
                     const std::string& done, bool given_up_front, ConsentTerminal& terminal,
                     std::ostream& out) {
    out << ConsentText(summary, "about to " + verb);
    if (given_up_front) return Status::Ok();
    switch (AskConsent(terminal, out, "type yes to " + verb + " them: ")) {
        case ConsentAnswer::kYes:
            return Status::Ok();
        case ConsentAnswer::kNo:
            return Status::InvalidArgument("consent not given: nothing was " + done);
        case ConsentAnswer::kNoTerminal:
            break;
    }
    return Status::InvalidArgument("consent needed: nothing was " + done +
                                   " (answer yes on a terminal, or pass --yes)");
}

}  // namespace jejak
