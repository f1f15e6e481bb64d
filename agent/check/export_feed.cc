#include "agent/check/export_feed.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace jejak {
namespace {

constexpr size_t kFeedKeys = 4096;   // keys per batch handed across
constexpr size_t kQueueBatches = 8;  // batches the reader may run ahead

// What the reader hands to the caller, in order: a file's key count, its key batches, then
// its end (with its header) or the error that stopped the reading.
struct FeedItem {
    enum class Kind { kCount, kKeys, kEnd, kError } kind = Kind::kKeys;
    size_t file = 0;
    size_t count = 0;
    std::vector<DiagnosisKey> keys;
    ExportHeader header;
    Status status;
};

class FeedQueue {
public:
    // Reader side. Returns false once the consumer has stopped listening.
    bool Push(FeedItem item) {
        std::unique_lock lock(mu_);
        space_.wait(lock, [&] { return items_.size() < kQueueBatches || closed_; });
        if (closed_) return false;
        items_.push_back(std::move(item));
        ready_.notify_one();
        return true;
    }
    FeedItem Pop() {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return !items_.empty(); });
        FeedItem item = std::move(items_.front());
        items_.pop_front();
        space_.notify_one();
        return item;
    }
    // Consumer side: stop the reader (it drops what it would push next).
    void Close() {
        std::lock_guard lock(mu_);
        closed_ = true;
        items_.clear();
        space_.notify_all();
    }

private:
    std::mutex mu_;
    std::condition_variable ready_;
    std::condition_variable space_;
    std::deque<FeedItem> items_;
    bool closed_ = false;
};

// Names the file once: some readers' messages already carry the path.
Status Named(const Status& s, const std::string& path) {
    return s.message().find(path) == std::string::npos ? s.WithContext(path) : s;
}

// The reader thread's work: every file in order, then stop (after an error, nothing more).
void ReadAll(std::span<const std::string> files, const ExportReadOptions& base, FeedQueue& queue) {
    for (size_t i = 0; i < files.size(); ++i) {
        bool listening = true;
        ExportReadOptions options = base;
        options.on_key_count = [&](size_t keys) {
            listening = queue.Push({FeedItem::Kind::kCount, i, keys, {}, {}, Status::Ok()});
        };
        std::vector<DiagnosisKey> batch;
        batch.reserve(kFeedKeys);
        Result<ExportSummary> summary = VisitExport(files[i], options, [&](const DiagnosisKey& key, KeyList) {
            batch.push_back(key);
            if (batch.size() == kFeedKeys) {
                listening = queue.Push({FeedItem::Kind::kKeys, i, 0, std::move(batch), {}, Status::Ok()});
                batch.clear();
                batch.reserve(kFeedKeys);
            }
            return listening ? Status::Ok() : Status::Unavailable("feed stopped");
        });
        if (!listening) return;
        if (!summary.ok()) {
            queue.Push({FeedItem::Kind::kError, i, 0, {}, {}, Named(summary.status(), files[i])});
            return;
        }
        if (!batch.empty() &&
            !queue.Push({FeedItem::Kind::kKeys, i, 0, std::move(batch), {}, Status::Ok()})) {
            return;
        }
        if (!queue.Push({FeedItem::Kind::kEnd, i, 0, {}, summary->header, Status::Ok()})) return;
    }
}

}  // namespace

Result<std::vector<FedExport>> FeedExportFiles(std::span<const std::string> files,
                                               const ExportFeedOptions& options, Matcher& matcher) {
    std::vector<FedExport> fed(files.size());
    if (files.empty()) return fed;
    FeedQueue queue;
    std::thread reader([&] { ReadAll(files, options.read, queue); });
    // However this function is left (a matcher that throws included), the reader is stopped
    // and joined first.
    struct Joiner {
        FeedQueue& queue;
        std::thread& reader;
        ~Joiner() {
            queue.Close();
            reader.join();
        }
    } joiner{queue, reader};
    Status failure = Status::Ok();
    size_t ended = 0;
    fed[0].first_key = matcher.stats().keys;
    while (ended < files.size() && failure.ok()) {
        FeedItem item = queue.Pop();
        switch (item.kind) {
            case FeedItem::Kind::kCount:
                if (options.on_file_keys) options.on_file_keys(item.file, item.count);
                break;
            case FeedItem::Kind::kKeys:
                matcher.Add(item.keys);
                if (options.on_batch) options.on_batch(item.file);
                break;
            case FeedItem::Kind::kEnd:
                fed[item.file].header = std::move(item.header);
                fed[item.file].end_key = matcher.stats().keys;
                if (item.file + 1 < files.size()) fed[item.file + 1].first_key = fed[item.file].end_key;
                ++ended;
                break;
            case FeedItem::Kind::kError:
                failure = item.status;
                break;
        }
    }
    if (!failure.ok()) return failure;
    return fed;
}

}  // namespace jejak
