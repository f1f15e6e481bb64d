// What the daemon's process maps: `jejak` (whose `run` is the daemon) loads libcurl only when
// a command transfers something (platform/http/curl_transfer.cc), so the daemon never maps
// libcurl and what it pulls in (OpenSSL, nghttp2, libssh2, Kerberos, LDAP). The dynamic
// loader lists what a program maps at start when LD_TRACE_LOADED_OBJECTS is set (what ldd
// does), without running it.
#include <doctest/doctest.h>

#include <stdio.h>
#include <stdlib.h>

#include <string>

#include "tests/support/child_process.h"

namespace jejak {
namespace {

std::string LoadedAtStart(const std::string& program) {
    const std::string cmd = "LD_TRACE_LOADED_OBJECTS=1 '" + program + "' 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    REQUIRE(pclose(p) == 0);
    return out;
}

TEST_CASE("jejak maps no libcurl at start: the daemon never loads the network stack") {
    if (!testing::TestEmulator().empty()) {
        MESSAGE("skipped: the dynamic loader of an emulated program cannot be asked");
        return;
    }
    const std::string loaded = LoadedAtStart(testing::BuiltBinary("jejak"));
    REQUIRE(loaded.find("libc.so") != std::string::npos);  // the loader did answer
    CHECK_MESSAGE(loaded.find("libcurl") == std::string::npos, loaded);
    CHECK_MESSAGE(loaded.find("libssl") == std::string::npos, loaded);
}

}  // namespace
}  // namespace jejak
