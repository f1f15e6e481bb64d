// Locating and removing the agent's files outside the store.
#include "agent/config/agent_files.h"

#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace jejak {
namespace {

Status RemoveFile(const std::string& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return Status::FromErrno(errno, "cannot remove " + path);
    }
    return Status::Ok();
}

// True when `dir` is `inner` or one of its ancestors.
bool Contains(const std::filesystem::path& dir, const std::filesystem::path& inner) {
    std::error_code ec;
    const auto a = std::filesystem::weakly_canonical(dir, ec);
    const auto b = std::filesystem::weakly_canonical(inner, ec);
    auto it = b.begin();
    for (const auto& part : a) {
        if (part.empty()) continue;  // trailing separator
        if (it == b.end() || *it != part) return false;
        ++it;
    }
    return true;
}

}  // namespace

Result<std::string> ConfiguredDownloadDir(const ProgramFiles& source) {
    JEJAK_ASSIGN_OR_RETURN(nlohmann::json section, LoadConfigSection(source, "diagnosis"));
    auto it = section.find("download_dir");
    if (it == section.end()) return source.state_dir + "/diagnosis-keys";
    if (!it->is_string() || it->get<std::string>().empty()) {
        return Status::InvalidArgument("config diagnosis.download_dir: must be a non-empty string");
    }
    return it->get<std::string>();
}

Status RemoveAgentFiles(const std::string& state_dir, const std::string& download_dir) {
    JEJAK_RETURN_IF_ERROR(RemoveFile(state_dir + "/" + kFetchStateFileName));
    JEJAK_RETURN_IF_ERROR(RemoveFile(state_dir + "/" + kLegacyStatusFileName));
    JEJAK_RETURN_IF_ERROR(RemoveFile(state_dir + "/" + kDaemonStatusFileName));
    JEJAK_RETURN_IF_ERROR(RemoveFile(state_dir + "/" + kCheckedExportsFileName));
    JEJAK_RETURN_IF_ERROR(RemoveFile(state_dir + "/" + kChaffScheduleFileName));
    JEJAK_RETURN_IF_ERROR(RemoveFile(state_dir + "/" + kClockOffsetFileName));
    if (download_dir.empty() || Contains(download_dir, state_dir)) return Status::Ok();
    std::error_code ec;
    std::filesystem::remove_all(download_dir, ec);
    if (ec) return Status::IOError("cannot remove " + download_dir + ": " + ec.message());
    return Status::Ok();
}

}  // namespace jejak
