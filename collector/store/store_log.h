#ifndef POSTURA_COLLECTOR_STORE_STORE_LOG_H_
#define POSTURA_COLLECTOR_STORE_STORE_LOG_H_

// RocksDB's informational log, the LOG file in the store's directory, written so that a
// full disk cannot bring the collector down. Debian's librocksdb is built with its
// assertions on, and its own file logger aborts the process on the first line it logs
// after one of its writes failed: on a full disk, at once, since the error handler logs
// the failed commit. This logger drops the lines it cannot write instead.
//
// Used by EvidenceStore::Open only. The logger is called by RocksDB from any of its
// threads at once, and is safe for that (each line is one write(2) on an O_APPEND file).

#include <memory>
#include <string>

#include "rocksdb/env.h"

namespace postura::collector {

// Opens `store_path`/LOG for RocksDB, the previous one kept as LOG.old, creating the
// directory if needed. Null if the file cannot be opened (RocksDB then logs its own way).
std::shared_ptr<rocksdb::Logger> OpenStoreLog(const std::string& store_path);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_STORE_STORE_LOG_H_
