// FeedExportFiles: export files read on a reader thread reach the matcher in file order,
// with each file's key span, and the first bad file stops the feed without hanging.
#include "agent/check/export_feed.h"

#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "tests/support/export_builders.h"
#include "tests/support/scratch_dir.h"

namespace jejak {
namespace {

using testing::Bytes;
using testing::ExportBin;
using testing::KeyMessage;
using testing::ScratchDir;
using testing::WriteFile;

std::string WriteKeys(const ScratchDir& dir, const std::string& name, uint32_t first, size_t n) {
    std::vector<Bytes> keys;
    for (size_t i = 0; i < n; ++i) keys.push_back(KeyMessage(first + static_cast<uint32_t>(i)));
    const std::string path = dir.File(name);
    WriteFile(path, ExportBin(keys));
    return path;
}

TEST_CASE("export feed: files in order, spans, counts before keys, across batch boundaries") {
    ScratchDir dir("feed");
    // 5,000 keys cross the reader's 4,096-key batch; the second file has none.
    const std::vector<std::string> files = {WriteKeys(dir, "a.bin", 0, 5000),
                                            WriteKeys(dir, "b.bin", 0, 0),
                                            WriteKeys(dir, "c.bin", 9000, 3)};
    const std::vector<SightingRecord> none;
    const RpiIndex index(none, 1);
    for (unsigned threads : {1u, 2u}) {
        CAPTURE(threads);
        Matcher matcher(index, MatchOptions{threads});
        std::vector<std::pair<size_t, size_t>> counts;
        size_t batches = 0;
        ExportFeedOptions options;
        options.on_file_keys = [&](size_t file, size_t keys) {
            // The file's count comes before any of its keys is fed.
            CHECK(matcher.stats().keys == (file == 0 ? 0u : 5000u));
            counts.emplace_back(file, keys);
        };
        options.on_batch = [&](size_t) { ++batches; };
        auto fed = FeedExportFiles(files, options, matcher);
        REQUIRE(fed.ok());
        matcher.Finish();
        REQUIRE(fed->size() == 3);
        CHECK((*fed)[0].first_key == 0);
        CHECK((*fed)[0].end_key == 5000);
        CHECK((*fed)[1].first_key == 5000);
        CHECK((*fed)[1].end_key == 5000);
        CHECK((*fed)[2].first_key == 5000);
        CHECK((*fed)[2].end_key == 5003);
        CHECK((*fed)[2].header.region == "ZZ");
        CHECK(counts == std::vector<std::pair<size_t, size_t>>{{0, 5000}, {1, 0}, {2, 3}});
        CHECK(batches == 3);  // 4,096 + 904 from the first file, 3 from the third
        CHECK(matcher.stats().keys == 5003);
    }
}

TEST_CASE("export feed: the first bad file stops the feed, named, and nothing after it is read") {
    ScratchDir dir("feed");
    const std::string bad = dir.File("bad.bin");
    WriteFile(bad, Bytes{'n', 'o', 't', ' ', 'a', 'n', ' ', 'e', 'x', 'p', 'o', 'r', 't'});
    // Plenty of keys before the bad file, so the reader runs ahead of the matcher and must
    // stop cleanly when the consumer does.
    std::vector<std::string> files;
    for (int i = 0; i < 4; ++i) files.push_back(WriteKeys(dir, std::to_string(i) + ".bin", 0, 20000));
    files.push_back(bad);
    files.push_back(WriteKeys(dir, "after.bin", 0, 10));
    const std::vector<SightingRecord> none;
    const RpiIndex index(none, 1);
    Matcher matcher(index, MatchOptions{1});
    auto fed = FeedExportFiles(files, {}, matcher);
    REQUIRE_FALSE(fed.ok());
    CHECK(fed.status().code() == StatusCode::kCorruption);
    CHECK(fed.status().message().find(bad) != std::string::npos);
    CHECK(matcher.stats().keys == 80000);  // every earlier key, none of the later file

    // A missing first file: an error straight away, no key fed.
    Matcher fresh(index, MatchOptions{1});
    auto missing = FeedExportFiles(std::vector<std::string>{dir.File("nope.zip")}, {}, fresh);
    REQUIRE_FALSE(missing.ok());
    CHECK(fresh.stats().keys == 0);
}

TEST_CASE("export feed: no files, nothing fed") {
    const std::vector<SightingRecord> none;
    const RpiIndex index(none, 1);
    Matcher matcher(index, MatchOptions{1});
    auto fed = FeedExportFiles(std::vector<std::string>{}, {}, matcher);
    REQUIRE(fed.ok());
    CHECK(fed->empty());
}

}  // namespace
}  // namespace jejak
