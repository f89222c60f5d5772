#ifndef POSTURA_COLLECTOR_STORE_STORE_STATUS_H_
#define POSTURA_COLLECTOR_STORE_STORE_STATUS_H_

// RocksDB's statuses, write options and slices as the store's code uses them: the one place where
// rocksdb::Status becomes absl::Status (STYLE.md, "translate foreign errors once"). Only
// the store's own .cc files include this header.
//
// Threading: pure functions; any thread.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace postura::collector {

// OK, or `what` and RocksDB's message under the code that tells the caller what to do:
// NotFound, DataLoss (corruption), InvalidArgument, ResourceExhausted (a full disk: RocksDB
// then refuses every write until it resumes), Unavailable otherwise.
absl::Status FromRocksStatus(const rocksdb::Status& status, absl::string_view what);

// A write that returns once it is synced to the WAL.
rocksdb::WriteOptions SyncedWrite();

// The bytes of a RocksDB key or value, borrowed.
inline absl::string_view View(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_STORE_STORE_STATUS_H_
