#ifndef POSTURA_COLLECTOR_STORE_STORE_FORMAT_H_
#define POSTURA_COLLECTOR_STORE_STORE_FORMAT_H_

// The store's format version: a key in the default column family, so that a collector
// knows whether it can read a store before it writes to it. A newer collector opens an
// older store and migrates it once (each step logged); it refuses a newer store with a
// message naming both versions, without writing to it.
//
// Versions:
//   1  stores made before the version existed: no key. The column families are those of
//      store_families.h at the time; families added since are created, empty, on open.
//   2  the version key itself. Migrating 1 -> 2 writes it.
//
// Called by EvidenceStore::Open only (and tests): ReadStoreFormat before it opens the
// database, StampStoreFormat after. Names RocksDB types, so only the store's .cc files
// include it. Threading: plain functions; the caller holds the only handle to the store.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"

namespace postura::collector {

// The format this collector writes.
inline constexpr int kStoreFormatVersion = 3;
// The key in the default column family that holds the version, in decimal.
inline constexpr char kStoreFormatKey[] = "postura.store_format";

// The format of the store at `path` (nullopt when there is no store there yet), read by
// opening it read-only (`env` null: the real filesystem). FailedPrecondition naming both
// versions if the store is newer than kStoreFormatVersion; DataLoss if the key is not a
// version; the open's error otherwise.
absl::StatusOr<std::optional<int>> ReadStoreFormat(rocksdb::Env* env, const std::string& path);

// After the store is opened for writing: records kStoreFormatVersion in a new store
// (`found` nullopt), or migrates an older one step by step, logging each. Returns the
// version the store had (kStoreFormatVersion for a new store). Unavailable if a write
// failed; the store is then left at the last step that completed.
absl::StatusOr<int> StampStoreFormat(rocksdb::DB& db, std::optional<int> found,
                                     const std::string& path);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_STORE_STORE_FORMAT_H_
