// Online backup of a store of one million evidence items (issue 21, item 3).
//
//   build/bin/backup_bench [--items 1000000] [--assets 1000] [--batch 1000]
//                          [--store-dir DIR] [--backup-dir DIR]
//
// 1. Fills a real store (the collector's RocksDB options) with --items evidence items in
//    synced commits of --batch items, as the ingest writer commits them: --assets assets,
//    the catalog's outcomes, observed over the last 30 days. Reused if --store-dir holds
//    a store with at least --items items already.
// 2. Takes a backup (EvidenceStore::Checkpoint, what `postura-collector backup` runs)
//    while a writer thread keeps committing batches, and prints how long it took, its
//    files and bytes, and how many commits went on during it.
// Also printed: how long opening the store took, and the part of it the store's format
// check (store_format.h) takes: a read-only open before the real one.
// 3. Copies the backup file by file, synced (CopyStore: what `restore` does), and prints
//    how long that took.
// The backup and its copy go under --backup-dir (default: beside the store); the
// checkpoint hard-links table files when both are on one filesystem.

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/store/evidence_records.h"
#include "collector/store/evidence_store.h"
#include "collector/store/store_backup.h"
#include "collector/store/store_format.h"
#include "collector/testing/test_evidence.h"
#include "common/model/catalog.h"
#include "tests/testing/temp_dir.h"

namespace postura::bench {
namespace {

using collector::EvidenceStore;

struct Options {
  uint64_t items = 1'000'000;
  int assets = 1000;
  int batch = 1000;
  std::string store_dir;
  std::string backup_dir;
};

// Commits one batch of `size` items from `agent`, numbered `sequence`.
absl::Status CommitBatch(EvidenceStore& store, const std::string& agent, uint64_t sequence,
                         int size, const Options& options, std::mt19937_64& random) {
  const std::vector<CatalogOutcome>& outcomes = Catalog::Builtin().outcomes();
  const absl::Time now = absl::Now();
  v1::Batch batch;
  batch.set_sequence(sequence);
  for (int i = 0; i < size; ++i) {
    const int asset = static_cast<int>(random() % options.assets);
    const absl::Time observed = now - absl::Seconds(static_cast<int64_t>(random() % (30 * 86400)));
    v1::Evidence& item = *batch.add_items() = collector::TestEvidence(
        absl::StrCat("asset-", asset), outcomes[random() % outcomes.size()].id, observed);
    item.set_check_id(absl::StrCat("check-", random() % 65));
  }
  collector::EncodedBatch encoded =
      collector::EncodeBatch(agent, batch, std::vector<bool>(size, true), now);
  return store.Commit({{&agent, &encoded, {sequence, 0, sequence * size}}});
}

// Items already in the store: its agents' counts of stored items.
uint64_t StoredItems(const EvidenceStore& store) {
  absl::StatusOr<std::vector<std::pair<std::string, collector::AgentProgress>>> agents =
      store.LoadProgress();
  uint64_t items = 0;
  if (!agents.ok()) return items;
  for (const auto& [agent, progress] : *agents) items += progress.items_stored;
  return items;
}

int Run(const Options& options) {
  test::TempDir temporary;
  const std::filesystem::path store_dir = options.store_dir.empty()
                                              ? temporary.path() / "store"
                                              : std::filesystem::path(options.store_dir);
  const std::filesystem::path backup_root = options.backup_dir.empty()
                                                ? store_dir.parent_path() / "backup-bench"
                                                : std::filesystem::path(options.backup_dir);
  std::filesystem::remove_all(backup_root);
  std::filesystem::create_directories(backup_root);
  // What the format check adds to every start: a read-only open of the default family.
  const absl::Time probe_start = absl::Now();
  absl::StatusOr<std::optional<int>> format = collector::ReadStoreFormat(nullptr, store_dir);
  const absl::Duration probe = absl::Now() - probe_start;
  const absl::Time open_start = absl::Now();
  std::unique_ptr<EvidenceStore> store = EvidenceStore::Open({.path = store_dir.string()}).value();
  std::printf("open: %s, of which the format check %s (format %s)\n",
              absl::FormatDuration(absl::Now() - open_start + probe).c_str(),
              absl::FormatDuration(probe).c_str(),
              format.ok() && *format ? absl::StrCat(**format).c_str() : "none yet");
  std::mt19937_64 random(21);
  const std::string filler = "bench-filler";
  uint64_t stored = StoredItems(*store);
  const absl::Time fill_start = absl::Now();
  for (uint64_t sequence = stored / options.batch + 1; stored < options.items; ++sequence) {
    if (absl::Status s = CommitBatch(*store, filler, sequence, options.batch, options, random);
        !s.ok()) {
      std::fprintf(stderr, "filling the store: %s\n", std::string(s.message()).c_str());
      return 1;
    }
    stored += options.batch;
  }
  std::printf("store: %llu evidence items in %s (filled in %s)\n",
              static_cast<unsigned long long>(stored), store_dir.c_str(),
              absl::FormatDuration(absl::Now() - fill_start).c_str());

  // Ingest goes on during the backup: a writer commits batches of 100 until it ends.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> commits_during{0};
  std::thread writer([&] {
    std::mt19937_64 writer_random(7);
    for (uint64_t sequence = 1; !stop; ++sequence) {
      if (!CommitBatch(*store, "bench-live", sequence, 100, options, writer_random).ok()) return;
      ++commits_during;
    }
  });
  while (commits_during == 0) std::this_thread::yield();
  const uint64_t commits_before = commits_during;
  const std::string backup = (backup_root / "store").string();
  const absl::Time start = absl::Now();
  absl::StatusOr<collector::StoreSnapshot> snapshot = store->Checkpoint(backup);
  const absl::Duration took = absl::Now() - start;
  const uint64_t commits_while = commits_during - commits_before;
  stop = true;
  writer.join();
  if (!snapshot.ok()) {
    std::fprintf(stderr, "backup: %s\n", std::string(snapshot.status().message()).c_str());
    return 1;
  }
  std::printf(
      "backup (checkpoint, ingest running): %s, %llu files, %.1f MiB, %llu commits of "
      "100 items during it\n",
      absl::FormatDuration(took).c_str(), static_cast<unsigned long long>(snapshot->files),
      snapshot->bytes / 1048576.0, static_cast<unsigned long long>(commits_while));

  const std::string copy = (backup_root / "restored").string();
  const absl::Time copy_start = absl::Now();
  if (absl::Status s = collector::CopyStore(backup, copy); !s.ok()) {
    std::fprintf(stderr, "copy: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  std::printf("restore copy (file by file, synced): %s\n",
              absl::FormatDuration(absl::Now() - copy_start).c_str());
  std::filesystem::remove_all(backup_root);
  return 0;
}

}  // namespace
}  // namespace postura::bench

int main(int argc, char** argv) {
  postura::bench::Options options;
  CLI::App app{"Backup of a store of a million evidence items"};
  app.add_option("--items", options.items, "Evidence items in the store");
  app.add_option("--assets", options.assets, "Assets the items are about");
  app.add_option("--batch", options.batch, "Items per commit while filling");
  app.add_option("--store-dir", options.store_dir, "Keep the store here (reused when full)");
  app.add_option("--backup-dir", options.backup_dir, "Where the backup goes (emptied)");
  CLI11_PARSE(app, argc, argv);
  return postura::bench::Run(options);
}
