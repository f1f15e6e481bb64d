// `jejak keys derive`: reproduces the published vectors; bad input is exit 2, one line.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/cli_runner.h"
#include "tests/support/test_data.h"

namespace jejak {
namespace {

using testing::RunJejak;

constexpr const char* kTek = "75c734c6dd1a782de7a965da5eb93125";

nlohmann::json Vectors() {
    std::ifstream in(testing::TestDataPath("crypto/gaen_crypto_v1.2.json"));
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

void CheckUsageError(std::vector<std::string> args, const std::string& expect_in_message) {
    CAPTURE(args);
    auto run = RunJejak(std::move(args));
    CHECK(run.code == 2);
    CHECK(run.out.empty());
    CHECK(run.err.find(expect_in_message) != std::string::npos);
    CHECK(run.err.rfind("jejak: ", 0) == 0);
    CHECK(run.err.find('\n') == run.err.size() - 1);  // exactly one line
}

}  // namespace

TEST_CASE("keys derive reproduces all 144 published RPI/AEM pairs") {
    const auto v = Vectors();
    auto run = RunJejak({"keys", "derive", "--tek", kTek, "--interval", "2642976", "--count",
                         "144", "--metadata", "40080000"});
    REQUIRE(run.code == 0);
    CHECK(run.err.empty());
    std::istringstream lines(run.out);
    std::string line;
    size_t i = 0;
    while (std::getline(lines, line)) {
        REQUIRE(i < 144);
        const auto& row = v["rows"][i];
        CHECK(line == std::to_string(row["enin"].get<uint32_t>()) + " " +
                          row["rpi_hex"].get<std::string>() + " " +
                          row["aem_hex"].get<std::string>());
        ++i;
    }
    CHECK(i == 144);
}

TEST_CASE("keys derive --json prints an array of enin/rpi/aem objects") {
    const auto v = Vectors();
    auto run = RunJejak({"keys", "derive", "--tek", kTek, "--interval", "2642977", "--count", "3",
                         "--metadata", "40080000", "--json"});
    REQUIRE(run.code == 0);
    const auto out = nlohmann::json::parse(run.out);
    REQUIRE(out.size() == 3);
    for (size_t i = 0; i < 3; ++i) {
        CHECK(out[i]["enin"] == 2642977 + i);
        CHECK(out[i]["rpi"] == v["rows"][i + 1]["rpi_hex"]);
        CHECK(out[i]["aem"] == v["rows"][i + 1]["aem_hex"]);
    }
}

TEST_CASE("keys derive without metadata prints no AEM, and count defaults to 1") {
    auto run = RunJejak({"keys", "derive", "--tek", "75C734C6DD1A782DE7A965DA5EB93125",
                         "--interval", "2642976"});
    REQUIRE(run.code == 0);
    CHECK(run.out == "2642976 8be6cd371c5c891604bfbe49df845096\n");
    auto json = RunJejak({"keys", "derive", "--tek", kTek, "--interval", "2642976", "--json"});
    const auto out = nlohmann::json::parse(json.out);
    REQUIRE(out.size() == 1);
    CHECK_FALSE(out[0].contains("aem"));
}

TEST_CASE("keys derive rejects bad input with exit 2 and one line on stderr") {
    const std::string i = "2642976";
    CheckUsageError({"keys", "derive", "--tek", "75c734", "--interval", i}, "--tek");
    CheckUsageError({"keys", "derive", "--tek", std::string(kTek) + "00", "--interval", i},
                    "--tek");
    CheckUsageError({"keys", "derive", "--tek", "x5c734c6dd1a782de7a965da5eb93125", "--interval",
                     i}, "--tek");
    CheckUsageError({"keys", "derive", "--tek", kTek, "--interval", "-1"}, "--interval");
    CheckUsageError({"keys", "derive", "--tek", kTek, "--interval", "4294967296"}, "--interval");
    CheckUsageError({"keys", "derive", "--tek", kTek, "--interval", "12ab"}, "--interval");
    CheckUsageError({"keys", "derive", "--tek", kTek, "--interval", ""}, "--interval");
    CheckUsageError({"keys", "derive", "--tek", kTek, "--interval", i, "--count", "0"},
                    "--count");
    CheckUsageError({"keys", "derive", "--tek", kTek, "--interval", i, "--count", "145"},
                    "--count");
    CheckUsageError({"keys", "derive", "--tek", kTek, "--interval", "4294967295", "--count",
                     "2"}, "--interval");
    CheckUsageError({"keys", "derive", "--tek", kTek, "--interval", i, "--metadata", "400800"},
                    "--metadata");
    CheckUsageError({"keys", "derive", "--tek", kTek, "--interval", i, "--metadata", "4008000g"},
                    "--metadata");
    CheckUsageError({"keys", "derive", "--interval", i}, "--tek");
    CheckUsageError({"keys", "derive", "--tek", kTek, "--interval", i, "--bogus"}, "--bogus");
}

TEST_CASE("the last interval of the 32-bit range can be derived") {
    auto run = RunJejak({"keys", "derive", "--tek", kTek, "--interval", "4294967295"});
    CHECK(run.code == 0);
    CHECK(run.out.rfind("4294967295 ", 0) == 0);
}

}  // namespace jejak
