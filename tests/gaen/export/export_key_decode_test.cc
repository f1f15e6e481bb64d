// The hand-written fast path for key messages agrees with protobuf-c: on the usual message,
// on every edge the fast path hands over (negative and 64-bit varints, unknown fields,
// duplicates, wrong wire types, out-of-range report types, long tags), and on thousands of
// byte-level mutations of a full message. Same verdict, same error text, same fields.
#include <doctest/doctest.h>

#include <random>

#include "gaen/export/export_file.h"
#include "tests/support/export_builders.h"

namespace jejak {
namespace {

using testing::Bytes;

// Fails the test unless both decoders give the same result; returns whether it decoded.
bool Agree(const Bytes& message) {
    auto fast = DecodeKeyMessage(message);
    auto slow = DecodeKeyMessage(message, /*protobuf_c_only=*/true);
    REQUIRE(fast.ok() == slow.ok());
    if (!fast.ok()) {
        CHECK(fast.status().message() == slow.status().message());
        return false;
    }
    CHECK(fast->key == slow->key);
    CHECK(fast->rolling_start_interval_number == slow->rolling_start_interval_number);
    CHECK(fast->rolling_period == slow->rolling_period);
    CHECK(fast->transmission_risk_level == slow->transmission_risk_level);
    CHECK(fast->report_type == slow->report_type);
    CHECK(fast->days_since_onset_of_symptoms == slow->days_since_onset_of_symptoms);
    return true;
}

Bytes FullKey() {
    Bytes m;
    testing::PutBytes(m, 1, Bytes(16, 0xab));
    testing::PutInt(m, 2, 6);
    testing::PutInt(m, 3, 2650000);
    testing::PutInt(m, 4, 100);
    testing::PutInt(m, 5, 1);
    testing::PutInt(m, 6, 7);  // zigzag: -4
    return m;
}

TEST_CASE("fast and protobuf-c key decoding agree on usual and unusual messages") {
    const Bytes full = FullKey();
    REQUIRE(Agree(full));
    auto key = DecodeKeyMessage(full);
    REQUIRE(key.ok());
    CHECK(key->rolling_period == 100);
    CHECK(key->days_since_onset_of_symptoms == -4);
    CHECK(key->report_type == ReportType::kConfirmedTest);
    CHECK(Agree(testing::KeyMessage(3)));

    auto with = [&](auto add) {
        Bytes m = full;
        add(m);
        return m;
    };
    CHECK_FALSE(Agree(with([](Bytes& m) { testing::PutInt(m, 3, uint64_t(-5)); })));  // negative
    CHECK(Agree(with([](Bytes& m) { testing::PutInt(m, 2, uint64_t(-1)); })));   // TRL -1
    CHECK(Agree(with([](Bytes& m) { testing::PutInt(m, 5, 9); })));   // unknown report type
    CHECK(Agree(with([](Bytes& m) { testing::PutInt(m, 9, 1); })));   // unknown field
    CHECK(Agree(with([](Bytes& m) { testing::PutInt(m, 4, 50); })));  // duplicate: last wins
    CHECK(Agree(with([](Bytes& m) { testing::PutInt(m, 2, uint64_t{1} << 40); })));  // 64-bit
    CHECK(Agree(with([](Bytes& m) { m.insert(m.end(), {0x98, 0x00, 0x02}); })));  // 2-byte tag
    CHECK_FALSE(Agree(with([](Bytes& m) { testing::PutInt(m, 1, 4); })));  // wrong wire type
    CHECK_FALSE(Agree(with([](Bytes& m) { m.push_back(0x18); })));         // truncated
    CHECK_FALSE(Agree(with([](Bytes& m) { m.push_back(0x00); })));         // field 0
    Bytes short_key;
    testing::PutBytes(short_key, 1, Bytes(15, 1));
    CHECK_FALSE(Agree(short_key));
    CHECK_FALSE(Agree(Bytes{}));  // no key_data
}

TEST_CASE("fast and protobuf-c key decoding agree on random mutations") {
    std::mt19937 rng(20201214);
    const Bytes full = FullKey();
    size_t decoded = 0;
    for (int i = 0; i < 5000; ++i) {
        Bytes m = full;
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int e = 0; e < edits; ++e) {
            const size_t at = rng() % (m.size() + 1);
            switch (rng() % 3) {
                case 0:
                    if (at < m.size()) m[at] = static_cast<uint8_t>(rng());
                    break;
                case 1:
                    m.insert(m.begin() + static_cast<long>(at), static_cast<uint8_t>(rng()));
                    break;
                default:
                    if (at < m.size()) m.erase(m.begin() + static_cast<long>(at));
                    break;
            }
        }
        CAPTURE(i);
        decoded += Agree(m) ? 1 : 0;
    }
    CHECK(decoded > 500);  // the mutations reach both verdicts
}

}  // namespace
}  // namespace jejak
