// A directory of export files as an inbox (`jejak match --fetched`, `--keys DIR`): files that
// `keys fetch` downloaded or a sync station dropped there are checked once. A ledger in the
// state dir, <state-dir>/checked-exports.txt, holds one line per file already handled
// ("<name> <size>"): a file that is replaced by one of another size (a copy that was still
// in progress) is seen as new.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "agent/config/agent_files.h"
#include "platform/base/status.h"

namespace jejak {

struct InboxFile {
    std::string path;
    std::string ledger_line;  // "<name> <size>"
};

// Regular files named *.zip or *.bin in `dir`, sorted by name, that the ledger does not list.
// NotFound when `dir` does not exist; IOError when it or the ledger cannot be read.
Result<std::vector<InboxFile>> ListUncheckedExports(const std::string& dir,
                                                    const std::string& state_dir);

// Adds `files` to the ledger (rewritten atomically; only the newest lines are kept).
Status MarkExportsChecked(const std::string& state_dir, std::span<const InboxFile> files);

}  // namespace jejak
