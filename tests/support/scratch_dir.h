// ScratchDir: a fresh private directory for one test (or one benchmark run), removed with
// everything in it when the ScratchDir goes out of scope.
#pragma once

#include <filesystem>
#include <string>

namespace jejak::testing {

class ScratchDir {
public:
    // Creates `<parent>/jejak-<tag>-XXXXXX` with mode 0700 (mkdtemp), so no other user can
    // read or plant files in it; `parent` defaults to the system temp dir (give the build tree
    // when the test hard-links built programs). Throws std::runtime_error when it cannot: a
    // test without its directory cannot run, and doctest reports the exception as a failure.
    explicit ScratchDir(const std::string& tag = "test", const std::filesystem::path& parent = {});
    // Removes the directory and its contents; errors are ignored (nothing to report to).
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // The directory as a string, for APIs that take one.
    const std::string& str() const { return str_; }
    // A path inside the directory (nothing is created).
    std::string File(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
    std::string str_;
};

}  // namespace jejak::testing
