// The floors the "store" section enforces on Argon2id and the passphrase.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "agent/config/store_config.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

struct ConfigDir {
    testing::ScratchDir dir{"store-config"};
    ConfigSource source;
    explicit ConfigDir(const nlohmann::json& store) {
        source.state_dir = dir.File("state");
        source.config_path = dir.File("config.json");
        source.config_path_given = true;
        std::ofstream(source.config_path) << nlohmann::json{{"store", store}}.dump();
    }
};

// Guards the Argon2id floor: opslimit 1, memlimit 8 KiB and a one-character passphrase were
// accepted, leaving a stolen card open to fast offline guessing.
TEST_CASE("Argon2id limits and the passphrase length have a floor") {
    ::setenv("JEJAK_TEST_FLOOR", "correct horse battery", 1);
    ConfigDir defaults(nlohmann::json{{"passphrase_env", "JEJAK_TEST_FLOOR"}});
    auto ok = LoadStoreOptions(defaults.source);
    REQUIRE(ok.ok());
    CHECK(ok->master.pwhash.opslimit >= 3);
    CHECK(ok->master.pwhash.memlimit_bytes >= 64u * 1024 * 1024);

    for (const nlohmann::json& weak :
         {nlohmann::json{{"argon2_opslimit", 1}}, nlohmann::json{{"argon2_opslimit", 2}},
          nlohmann::json{{"argon2_memlimit_kib", 8}},
          nlohmann::json{{"argon2_memlimit_kib", 65535}}}) {
        nlohmann::json store = weak;
        store["passphrase_env"] = "JEJAK_TEST_FLOOR";
        ::setenv("JEJAK_TEST_FLOOR", "correct horse battery", 1);
        ConfigDir c(store);
        auto r = LoadStoreOptions(c.source);
        CAPTURE(weak.dump());
        CHECK(r.status().IsInvalidArgument());
    }
    ::setenv("JEJAK_TEST_FLOOR", "x", 1);
    auto short_one = LoadStoreOptions(defaults.source);
    CHECK(short_one.status().IsInvalidArgument());
    CHECK(short_one.status().message().find("at least 12 characters") != std::string::npos);
    ::setenv("JEJAK_TEST_FLOOR", "elevenchars", 1);
    CHECK(LoadStoreOptions(defaults.source).status().IsInvalidArgument());
    ::setenv("JEJAK_TEST_FLOOR", "twelve chars", 1);
    CHECK(LoadStoreOptions(defaults.source).ok());
}

}  // namespace
}  // namespace jejak
