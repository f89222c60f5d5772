#ifndef POSTURA_COLLECTOR_STORE_STORE_BACKUP_H_
#define POSTURA_COLLECTOR_STORE_STORE_BACKUP_H_

// Backups of the store, and their restore.
//
// Why a checkpoint taken by the running collector: RocksDB allows one writer process per
// store (its LOCK file), and a consistent snapshot needs that writer's memtables and WAL,
// which only it can flush or pin. A secondary instance (DB::OpenAsSecondary) opened by
// another process sees only what was flushed or written to the WAL files it tails, lags
// the primary, and cannot create a checkpoint (checkpoints are a primary's operation in
// RocksDB 7.8), so a backup taken from outside would be neither consistent nor complete.
// The running collector therefore takes it (EvidenceStore::Checkpoint, called by the
// OperationsService.Backup RPC that `postura-collector backup` sends): rocksdb::Checkpoint
// flushes the memtables and hard-links the immutable table files (copies them if the
// target is on another filesystem), with the WAL and manifest copied at one sequence
// number across all column families. Every write acknowledged before the checkpoint
// began is in it; ingest goes on while it runs. BackupEngine was not chosen: it copies
// every file, where a checkpoint on the same filesystem costs only links, and the
// operator moves the directory to other storage with ordinary tools.
//
// Restoring (`postura-collector restore`) runs with the collector stopped: it copies a
// backup's store into place and opens it once, which checks and migrates its format.
//
// Threading: the functions here touch only the paths they are given; call them from one
// thread per path. EvidenceStore::Checkpoint is thread-safe like the rest of the store.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace postura::collector {

// What a checkpoint holds.
struct StoreSnapshot {
  std::string directory;
  uint64_t sequence = 0;  // RocksDB's last sequence number in it.
  uint64_t files = 0;
  uint64_t bytes = 0;
};

// Files and bytes under `directory` (recursively). NotFound if it does not exist.
absl::StatusOr<StoreSnapshot> MeasureStoreCopy(const std::string& directory);

// Checks that `path` holds a store this collector can open: its format version.
// NotFound if there is no store there; FailedPrecondition if it is newer than this
// collector (store_format.h); DataLoss if RocksDB finds it corrupt.
absl::StatusOr<int> CheckStoreCopy(const std::string& path);

// Copies the store at `from` to `to`, file by file, each synced, `to` created owner-only.
// FailedPrecondition if `to` exists; Unavailable if a copy failed (what was copied is
// then removed).
absl::Status CopyStore(const std::string& from, const std::string& to);

// OK unless a process holds the store at `path` open (RocksDB's lock on its LOCK file):
// FailedPrecondition naming that process. Restore refuses to replace a store in use.
absl::Status CheckStoreUnused(const std::string& path);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_STORE_STORE_BACKUP_H_
