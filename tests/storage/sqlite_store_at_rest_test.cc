// What an attacker holding the store's files can and cannot find: no plaintext anywhere,
// expired days undecryptable with anything left on disk, and open errors that never
// modify the files.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "crypto/aead.h"
#include "storage/keys/day_key_ratchet.h"
#include "platform/base/hex.h"
#include "storage/keys/keyring.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_schema.h"
#include "store_test_util.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using namespace jejak::testing;

bool Contains(const std::vector<uint8_t>& hay, std::span<const uint8_t> needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

bool ContainsText(const std::vector<uint8_t>& hay, const std::string& text) {
    return Contains(hay, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

std::string Upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// Every file of the state directory, by name.
std::map<std::string, std::vector<uint8_t>> Snapshot(const ScratchDir& dir) {
    std::map<std::string, std::vector<uint8_t>> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir.str())) {
        files[entry.path().filename().string()] = ReadFile(entry.path().string());
    }
    return files;
}

// Fails if any needle (raw, lower-case hex or upper-case hex) is in any file of `dir`.
void CheckNoneInFiles(const ScratchDir& dir, const std::vector<std::vector<uint8_t>>& needles) {
    const auto files = Snapshot(dir);
    CHECK(files.count("store.db") == 1);
    for (const auto& [name, bytes] : files) {
        for (const auto& needle : needles) {
            CAPTURE(name);
            CAPTURE(HexEncode(needle));
            CHECK_FALSE(Contains(bytes, needle));
            CHECK_FALSE(ContainsText(bytes, HexEncode(needle)));
            CHECK_FALSE(ContainsText(bytes, Upper(HexEncode(needle))));
        }
    }
}

Result<std::unique_ptr<SqliteStore>> OpenIn(const ScratchDir& dir, const Clock& clock,
                                            SqliteStoreOptions o = {}) {
    o.state_dir = dir.str();
    return SqliteStore::Open(clock, std::move(o));
}

}  // namespace

TEST_CASE("no TEK, RPI or AEM is written in clear to the database, WAL or any file") {
    ScratchDir dir;
    ManualClock clock(Micros(kDay0Unix + 600));
    std::vector<std::vector<uint8_t>> needles;
    auto store = OpenIn(dir, clock);
    REQUIRE(store.ok());
    std::vector<Sighting> batch;
    for (uint32_t i = 0; i < 300; ++i) {
        batch.push_back(SampleSighting(i, kDay0Unix + i));
        needles.emplace_back(batch.back().rpi.begin(), batch.back().rpi.end());
        if (i < 20) needles.emplace_back(batch.back().aem.begin(), batch.back().aem.end());
    }
    REQUIRE((*store)->AddSightings(batch).ok());
    REQUIRE((*store)->Flush().ok());
    for (uint32_t i = 0; i < 5; ++i) {
        const StoredTek tek = SampleTek(i, kDay0 - i);
        REQUIRE((*store)->PutTek(tek).ok());
        needles.emplace_back(tek.tek.bytes().begin(), tek.tek.bytes().end());
    }
    REQUIRE((*store)->AddExposureCheck({kDay0Unix + 700, "secret-exposure-payload"}).ok());
    needles.emplace_back(std::vector<uint8_t>{'s', 'e', 'c', 'r', 'e', 't', '-', 'e', 'x', 'p'});
    REQUIRE(std::filesystem::exists(dir.File("store.db-wal")));
    CheckNoneInFiles(dir, needles);  // while open: WAL present
    REQUIRE((*store)->Close().ok());
    CheckNoneInFiles(dir, needles);  // after close: checkpointed database
}

TEST_CASE("on day 15 the rows of day 1 are gone and day 1's key cannot be derived") {
    ScratchDir dir;
    ManualClock clock(Micros(kDay0Unix + 600));  // day 1 = kDay0, retention 14
    auto store = OpenIn(dir, clock);
    REQUIRE(store.ok());
    std::vector<Sighting> day1;
    for (uint32_t i = 0; i < 20; ++i) day1.push_back(SampleSighting(i, kDay0Unix + i));
    REQUIRE((*store)->AddSightings(day1).ok());
    REQUIRE((*store)->Flush().ok());
    REQUIRE((*store)->PutTek(SampleTek(1, kDay0)).ok());

    // Day 1's data key, as the owner of the master key can compute it today.
    auto master = ReadMasterKeyFile(dir.File("master.key"));
    REQUIRE(master.ok());
    auto keyring_key = KeyringKey(*master);
    REQUIRE(keyring_key.ok());
    bool agree = false;
    auto keyring = Keyring::Read(dir.File("store.keys"));
    REQUIRE(keyring.ok());
    auto before = keyring->Unseal(*keyring_key, &agree);
    REQUIRE(before.ok());
    CHECK(before->oldest_day == kDay0 - 13);
    auto chain1 = AdvanceChainKey(before->chain, kDay0 - before->oldest_day);
    REQUIRE(chain1.ok());
    auto key1 = DayDataKey(*chain1);
    REQUIRE(key1.ok());
    const std::vector<uint8_t> old_keyring = ReadFile(dir.File("store.keys"));

    // One day-1 payload, and proof that key1 opens it.
    auto raw = SqliteDb::Open(SqliteStore::DatabasePath(dir.str()), false);
    REQUIRE(raw.ok());
    auto stmt = raw->Prepare("SELECT id, payload FROM sightings ORDER BY id LIMIT 1");
    REQUIRE(stmt.ok());
    REQUIRE(*stmt->Step("read"));
    const RowAddress row{TableId::kSightings, kDay0, stmt->ColumnInt(0)};
    const std::vector<uint8_t> sealed(stmt->ColumnBlob(1).begin(), stmt->ColumnBlob(1).end());
    *stmt = SqliteStmt();
    auto id_stmt = raw->Prepare("SELECT value FROM meta WHERE name = 'store_id'");
    REQUIRE((id_stmt.ok() && *id_stmt->Step("read")));
    StoreId store_id{};
    std::copy_n(id_stmt->ColumnBlob(0).begin(), store_id.size(), store_id.begin());
    *id_stmt = SqliteStmt();
    REQUIRE(raw->Close().ok());
    std::vector<uint8_t> plain(sealed.size() - kAeadTagSize);
    REQUIRE(AeadOpen(*key1, RowNonce(row, store_id), RowAd(row), sealed, plain).ok());

    clock.SetUnixMicros(Micros(kDay0Unix + 14 * 86400 + 600));  // day 15
    REQUIRE((*store)->EnforceRetention().ok());
    CHECK((*store)->Stats()->oldest_retained_day == kDay0 + 1);
    CHECK(AllSightings(**store, DayRange::One(kDay0)).empty());
    REQUIRE((*store)->Close().ok());

    // Nothing of day 1 remains in the database.
    raw = SqliteDb::Open(SqliteStore::DatabasePath(dir.str()), false);
    REQUIRE(raw.ok());
    const std::string old_rows = " WHERE id < " + std::to_string(FirstKeyOfDay(kDay0 + 1));
    CHECK(*raw->QueryInt("SELECT count(*) FROM sightings" + old_rows) == 0);
    CHECK(*raw->QueryInt("SELECT count(*) FROM teks" + old_rows) == 0);
    CHECK(*raw->QueryInt("SELECT count(*) FROM sightings") == 0);
    REQUIRE(raw->Close().ok());

    // The keyring now holds only the chain key of day 2; neither old slot survives in it.
    const std::vector<uint8_t> new_keyring = ReadFile(dir.File("store.keys"));
    REQUIRE(new_keyring.size() == old_keyring.size());
    for (size_t slot = 0; slot < 2; ++slot) {
        const auto* p = old_keyring.data() + 36 + slot * 84;
        CHECK_FALSE(Contains(new_keyring, {p + 12, 72}));  // nonce + sealed key
    }
    keyring = Keyring::Read(dir.File("store.keys"));
    REQUIRE(keyring.ok());
    auto after = keyring->Unseal(*keyring_key, &agree);
    REQUIRE(after.ok());
    CHECK(agree);
    CHECK(after->oldest_day == kDay0 + 1);
    // No day key derivable from what the store holds opens the day-1 payload.
    for (uint32_t ahead = 0; ahead <= 64; ++ahead) {
        auto chain = AdvanceChainKey(after->chain, ahead);
        REQUIRE(chain.ok());
        auto key = DayDataKey(*chain);
        REQUIRE(key.ok());
        CHECK_FALSE(AeadOpen(*key, RowNonce(row, store_id), RowAd(row), sealed, plain).ok());
        CHECK_FALSE(std::equal(key->bytes().begin(), key->bytes().end(), key1->bytes().begin()));
    }
    // And no file holds day 1's key or chain key, nor (secure_delete, vacuum, WAL
    // truncation) the sealed day-1 payload itself.
    CheckNoneInFiles(dir, {{sealed.begin(), sealed.begin() + 24},
                           {key1->bytes().begin(), key1->bytes().end()},
                           {chain1->bytes().begin(), chain1->bytes().end()},
                           {before->chain.bytes().begin(), before->chain.bytes().end()}});
}

TEST_CASE("open errors are clear and change nothing on disk") {
    ScratchDir dir;
    ManualClock clock(Micros(kDay0Unix + 600));
    {
        auto store = OpenIn(dir, clock);
        REQUIRE(store.ok());
        const Sighting s = SampleSighting(1, kDay0Unix);
        REQUIRE((*store)->AddSightings({&s, 1}).ok());
        REQUIRE((*store)->Close().ok());
    }
    const auto pristine = Snapshot(dir);
    const auto master = pristine.at("master.key");
    auto expect_error = [&](StatusCode code, const std::string& message) {
        auto store = OpenIn(dir, clock);
        REQUIRE_FALSE(store.ok());
        CHECK(store.status().code() == code);
        CHECK_MESSAGE(store.status().message().find(message) != std::string::npos,
                      store.status().ToString());
    };
    auto restore = [&] {
        for (const auto& [name, bytes] : pristine) WriteFile(dir.File(name), bytes);
        chmod(dir.File("master.key").c_str(), 0600);
    };

    SUBCASE("wrong master key") {
        std::vector<uint8_t> wrong = master;
        wrong[5] ^= 0x01;
        WriteFile(dir.File("master.key"), wrong);
        const auto tampered = Snapshot(dir);
        expect_error(StatusCode::kPermissionDenied, kWrongKeyMessage);
        CHECK(Snapshot(dir) == tampered);
    }
    SUBCASE("missing master key file") {
        std::filesystem::remove(dir.File("master.key"));
        const auto tampered = Snapshot(dir);
        expect_error(StatusCode::kNotFound, "master key file");
        CHECK(Snapshot(dir) == tampered);  // in particular, no new master.key
    }
    SUBCASE("master key file readable by others") {
        chmod(dir.File("master.key").c_str(), 0644);
        expect_error(StatusCode::kPermissionDenied, "chmod 600");
        CHECK(Snapshot(dir) == pristine);
        chmod(dir.File("master.key").c_str(), 0640);
        expect_error(StatusCode::kPermissionDenied, "mode 0640");
    }
    SUBCASE("damaged keyring header, both slots, or a truncated keyring") {
        for (size_t at : {size_t{0}, size_t{8}, size_t{13}, size_t{25}}) {
            restore();
            auto keys = pristine.at("store.keys");
            keys[at] ^= 0x40;
            WriteFile(dir.File("store.keys"), keys);
            const auto tampered = Snapshot(dir);
            CAPTURE(at);
            expect_error(StatusCode::kPermissionDenied, kWrongKeyMessage);
            CHECK(Snapshot(dir) == tampered);
        }
        restore();
        auto keys = pristine.at("store.keys");
        keys[36 + 50] ^= 1;
        keys[36 + 84 + 50] ^= 1;
        WriteFile(dir.File("store.keys"), keys);
        expect_error(StatusCode::kPermissionDenied, kWrongKeyMessage);
        keys.resize(100);
        WriteFile(dir.File("store.keys"), keys);
        expect_error(StatusCode::kPermissionDenied, kWrongKeyMessage);
    }
    SUBCASE("missing keyring next to an existing database") {
        std::filesystem::remove(dir.File("store.keys"));
        const auto tampered = Snapshot(dir);
        expect_error(StatusCode::kNotFound, "store.keys is missing");
        CHECK(Snapshot(dir) == tampered);
    }
    SUBCASE("a database that is not SQLite is corruption, not a crash") {
        WriteFile(dir.File("store.db"), std::vector<uint8_t>(4096, 0x5A));
        auto store = OpenIn(dir, clock);
        CHECK(store.status().code() == StatusCode::kCorruption);
    }
    SUBCASE("passphrase requested for a key-file store") {
        SqliteStoreOptions o;
        o.master.kind = MasterKeyKind::kPassphrase;
        o.master.passphrase = "correct horse";
        auto store = OpenIn(dir, clock, o);
        CHECK(store.status().IsInvalidArgument());
        CHECK(Snapshot(dir) == pristine);
    }
}

TEST_CASE("a database with a newer schema version is refused with a clear error") {
    ScratchDir dir;
    ManualClock clock(Micros(kDay0Unix + 600));
    REQUIRE(OpenIn(dir, clock).ok());
    {
        auto raw = SqliteDb::Open(SqliteStore::DatabasePath(dir.str()), false);
        REQUIRE(raw.ok());
        REQUIRE(raw->Exec("PRAGMA user_version=" + std::to_string(kSchemaVersion + 1), "test").ok());
    }
    auto store = OpenIn(dir, clock);
    CHECK(store.status().code() == StatusCode::kFailedPrecondition);
    CHECK(store.status().message().find("schema version " + std::to_string(kSchemaVersion + 1) +
                                        " is newer") != std::string::npos);
}

TEST_CASE("one damaged keyring slot is survivable and repaired at open") {
    ScratchDir dir;
    ManualClock clock(Micros(kDay0Unix + 600));
    REQUIRE(OpenIn(dir, clock).ok());
    auto keys = ReadFile(dir.File("store.keys"));
    keys[36 + 84 + 60] ^= 0x08;  // slot B's sealed key
    WriteFile(dir.File("store.keys"), keys);
    auto store = OpenIn(dir, clock);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    REQUIRE((*store)->Close().ok());
    auto master = ReadMasterKeyFile(dir.File("master.key"));
    auto keyring = Keyring::Read(dir.File("store.keys"));
    REQUIRE((master.ok() && keyring.ok()));
    bool agree = false;
    REQUIRE(keyring->Unseal(*KeyringKey(*master), &agree).ok());
    CHECK(agree);
}

TEST_CASE("a passphrase store opens with the passphrase and refuses a wrong one") {
    ScratchDir dir;
    ManualClock clock(Micros(kDay0Unix + 600));
    SqliteStoreOptions o;
    o.master.kind = MasterKeyKind::kPassphrase;
    o.master.passphrase = "field kit 7";
    o.master.pwhash = TestPwhash();
    {
        auto store = OpenIn(dir, clock, o);
        REQUIRE_MESSAGE(store.ok(), store.status().ToString());
        REQUIRE((*store)->PutTek(SampleTek(2, kDay0)).ok());
    }
    CHECK_FALSE(std::filesystem::exists(dir.File("master.key")));
    const auto pristine = Snapshot(dir);
    o.master.passphrase = "field kit 8";
    auto wrong = OpenIn(dir, clock, o);
    CHECK(wrong.status().message() == kWrongKeyMessage);
    CHECK(Snapshot(dir) == pristine);
    o.master.passphrase = "field kit 7";
    auto right = OpenIn(dir, clock, o);
    REQUIRE(right.ok());
    int teks = 0;
    REQUIRE((*right)->ForEachTek(DayRange::All(), [&](const StoredTek& t) {
        teks += t == SampleTek(2, kDay0);
    }).ok());
    CHECK(teks == 1);
}

TEST_CASE("wipe destroys the keys, then the database files") {
    ScratchDir dir;
    ManualClock clock(Micros(kDay0Unix + 600));
    REQUIRE(OpenIn(dir, clock).ok());
    SqliteStoreOptions o;
    o.state_dir = dir.str();
    REQUIRE(SqliteStore::Wipe(o, true).ok());
    CHECK(Snapshot(dir).empty());
    CHECK(SqliteStore::Wipe(o, true).ok());  // idempotent
}

}  // namespace jejak

namespace jejak {

TEST_CASE("every writing session starts a new row-id generation; reading sessions use none") {
    testing::ScratchDir dir;
    ManualClock clock(testing::Micros(testing::kDay0Unix + 600));
    std::vector<int64_t> ids;
    for (int open = 0; open < 3; ++open) {
        auto store = SqliteStore::Open(clock, testing::SqliteOptions(dir));
        REQUIRE(store.ok());
        for (int i = 0; i < 2; ++i) {
            auto id = (*store)->AddExposureCheck({testing::kDay0Unix + 700, "x"});
            REQUIRE(id.ok());
            ids.push_back(*id);
        }
        store->reset();
        auto reader = SqliteStore::Open(clock, testing::SqliteOptions(dir));  // read-only session
        REQUIRE(reader.ok());
        REQUIRE((*reader)->Verify().ok());
        REQUIRE((*reader)->Stats().ok());
    }
    auto generation = [](int64_t id) { return (id & ((int64_t{1} << kRowSeqBits) - 1)) >> kRowCounterBits; };
    CHECK(ids[1] == ids[0] + 1);
    CHECK(generation(ids[2]) == generation(ids[0]) + 1);
    CHECK(generation(ids[4]) == generation(ids[2]) + 1);
    CHECK(DayOfRowKey(ids[0]) == testing::kDay0);
}

}  // namespace jejak

namespace jejak {

TEST_CASE("store files are private to the owner") {
    testing::ScratchDir dir;
    ManualClock clock(testing::Micros(testing::kDay0Unix + 600));
    auto store = SqliteStore::Open(clock, testing::SqliteOptions(dir));
    REQUIRE(store.ok());
    REQUIRE((*store)->PutState({"k", "v"}).ok());
    for (const char* name : {"store.db", "store.db-wal", "store.keys", "master.key"}) {
        CAPTURE(name);
        struct stat st {};
        REQUIRE(stat(dir.File(name).c_str(), &st) == 0);
        CHECK((st.st_mode & 077) == 0);
    }
}

}  // namespace jejak
