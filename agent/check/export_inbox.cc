// The ledger of export files already checked.
#include "agent/check/export_inbox.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "platform/base/atomic_file.h"

namespace jejak {
namespace {

// Enough for years of daily files from several servers; older lines name files long gone.
constexpr size_t kMaxLedgerLines = 5000;

std::string LedgerPath(const std::string& state_dir) {
    return state_dir + "/" + kCheckedExportsFileName;
}

std::vector<std::string> ReadLedger(const std::string& state_dir) {
    std::vector<std::string> lines;
    std::ifstream in(LedgerPath(state_dir));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

}  // namespace

Result<std::vector<InboxFile>> ListUncheckedExports(const std::string& dir,
                                                    const std::string& state_dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return Status::NotFound("no export directory " + dir);
    const std::vector<std::string> ledger = ReadLedger(state_dir);
    const std::set<std::string> done(ledger.begin(), ledger.end());
    std::vector<InboxFile> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        const std::string ext = p.extension().string();
        if ((ext != ".zip" && ext != ".bin") || !it->is_regular_file(ec)) continue;
        const auto size = it->file_size(ec);
        if (ec) break;
        std::string line = p.filename().string() + " " + std::to_string(size);
        if (done.count(line) == 0) files.push_back({p.string(), std::move(line)});
    }
    if (ec) return Status::IOError("cannot list " + dir + ": " + ec.message());
    std::sort(files.begin(), files.end(),
              [](const InboxFile& a, const InboxFile& b) { return a.path < b.path; });
    return files;
}

Status MarkExportsChecked(const std::string& state_dir, std::span<const InboxFile> files) {
    if (files.empty()) return Status::Ok();
    std::vector<std::string> lines = ReadLedger(state_dir);
    for (const InboxFile& f : files) lines.push_back(f.ledger_line);
    const size_t skip = lines.size() > kMaxLedgerLines ? lines.size() - kMaxLedgerLines : 0;
    std::string text;
    for (size_t i = skip; i < lines.size(); ++i) text += lines[i] + "\n";
    return WriteFileAtomically(LedgerPath(state_dir), text);
}

}  // namespace jejak
