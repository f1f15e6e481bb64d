// The export worker (`jejak authority export`): publishes every key whose embargo has
// passed into signed export.zip batches under the exports directory and lists them in
// index.txt, oldest first (docs/PROTOCOL.md sections 3.1 and 3.3).
//
// Crash safety: a batch is first claimed in the store (its keys are assigned to it), then
// its zip is written under a temporary name, fsynced and renamed into place, then the batch
// is marked complete, and only then is index.txt rewritten (again temp + fsync + rename)
// from the list of complete batches. A worker killed at any point leaves either no trace
// in index.txt or a complete batch; the next run finishes claimed-but-incomplete batches
// first. Running it again with nothing new changes nothing (idempotent). One worker at a
// time (the store's export lease).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gaen/export/export_file.h"
#include "authority/authority_state.h"
#include "authority/store/authority_store.h"
#include "crypto/random.h"

namespace jejak::authority {

struct ExportRunReport {
    size_t batches = 0;        // batches written in this run (resumed ones included)
    size_t resumed = 0;        // of which were left pending by an earlier run
    size_t keys = 0;           // real keys and revisions published
    size_t padding_keys = 0;   // random keys added to small batches
    std::vector<std::string> paths;  // relative paths written, in order
};

// The keys of one batch as written: real keys and padding shuffled together in `keys`,
// revisions in `revised_keys`. When the batch has between 1 and min_keys-1 real keys,
// padding keys (random key bytes, metadata copied from random real keys) bring it to
// min_keys + random(0..padding_range). Pure apart from `random`.
struct BatchKeys {
    std::vector<DiagnosisKey> keys;
    std::vector<DiagnosisKey> revised_keys;
    size_t padding = 0;
};
BatchKeys BuildBatchKeys(const std::vector<ExportEntry>& entries, size_t min_keys,
                         size_t padding_range, RandomSource& random);

// "<start>-<end>-<id, 5 digits>.zip".
std::string BatchFileName(int64_t start, int64_t end, int64_t id);

class ExportWorker {
public:
    ExportWorker(const AuthorityState& state, AuthorityStore& store, RandomSource& random);

    // One pass at time `now` (unix seconds). Unavailable when another worker holds the
    // lease; IOError/Corruption from the file system or store (what was finished stays).
    Result<ExportRunReport> RunOnce(int64_t now);

    // Test seam: runs after each new batch is claimed (committed in the store) and before
    // its file is written, so a test can kill the worker exactly mid-batch.
    void SetAfterClaimHook(std::function<void(const ExportBatch&)> hook) {
        after_claim_ = std::move(hook);
    }

private:
    Status WriteBatch(const ExportBatch& batch, ExportRunReport& report);
    Status WriteIndex();

    const AuthorityState& state_;
    AuthorityStore& store_;
    RandomSource& random_;
    std::function<void(const ExportBatch&)> after_claim_;
};

// The pause point of the crash tests, for `jejak authority export` only: when the
// environment holds JEJAK_TEST_EXPORT_PAUSE_AFTER_CLAIM_S=N (1..600), a hook that prints
// "paused after claiming <path>" to stderr and sleeps N seconds; otherwise an empty
// function. Only the operator who starts the worker controls its environment: no request,
// file or database row can trigger it.
std::function<void(const ExportBatch&)> ExportPauseFromEnvironment();

}  // namespace jejak::authority
