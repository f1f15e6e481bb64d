// The "store" section's passphrase sources: the value reaches the options' zeroing secret and
// never stays where a child process could inherit it.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "agent/config/store_config.h"
#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

struct StoreConfigDir {
    testing::ScratchDir dir{"store-config"};
    ConfigSource source;
    explicit StoreConfigDir(const nlohmann::json& store) {
        source.state_dir = dir.File("state");
        source.config_path = dir.File("config.json");
        source.config_path_given = true;
        std::ofstream(source.config_path) << nlohmann::json{{"store", store}}.dump();
    }
};

// Guards against the passphrase staying in the environment, where the notification hook
// (and any other child) inherited it.
TEST_CASE("a passphrase from the environment is moved out of the environment") {
    StoreConfigDir c(nlohmann::json{{"passphrase_env", "JEJAK_TEST_STORE_PASSPHRASE"}});
    ::setenv("JEJAK_TEST_STORE_PASSPHRASE", "correct horse battery", 1);
    auto options = LoadStoreOptions(c.source);
    REQUIRE(options.ok());
    CHECK(options->master.kind == MasterKeyKind::kPassphrase);
    CHECK(options->master.passphrase.view() == "correct horse battery");
    CHECK(std::getenv("JEJAK_TEST_STORE_PASSPHRASE") == nullptr);
    // Read once: a second load finds nothing.
    CHECK(LoadStoreOptions(c.source).status().IsInvalidArgument());
}

// Guards the systemd credential path: the passphrase never enters the environment at all.
TEST_CASE("a passphrase from a systemd credential file is read from CREDENTIALS_DIRECTORY") {
    StoreConfigDir c(nlohmann::json{{"passphrase_credential", "jejak-store"}});
    ::unsetenv("CREDENTIALS_DIRECTORY");
    auto unset = LoadStoreOptions(c.source);
    CHECK(unset.status().IsInvalidArgument());
    CHECK(unset.status().message().find("CREDENTIALS_DIRECTORY") != std::string::npos);

    std::ofstream(c.dir.File("jejak-store")) << "correct horse battery\n";
    ::setenv("CREDENTIALS_DIRECTORY", c.dir.path().c_str(), 1);
    auto options = LoadStoreOptions(c.source);
    ::unsetenv("CREDENTIALS_DIRECTORY");
    REQUIRE(options.ok());
    CHECK(options->master.kind == MasterKeyKind::kPassphrase);
    CHECK(options->master.passphrase.view() == "correct horse battery");

    StoreConfigDir path(nlohmann::json{{"passphrase_credential", "../etc/shadow"}});
    CHECK(LoadStoreOptions(path.source).status().IsInvalidArgument());
    StoreConfigDir both(nlohmann::json{{"passphrase_credential", "x"}, {"passphrase_env", "Y"}});
    CHECK(LoadStoreOptions(both.source).status().IsInvalidArgument());
}

}  // namespace
}  // namespace jejak
