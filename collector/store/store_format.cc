#include "collector/store/store_format.h"

#include <memory>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collector/store/store_status.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// One migration: from `version` to the next, with what it changes (for the log).
struct MigrationStep {
  int from;
  const char* what;
  absl::Status (*apply)(rocksdb::DB& db);
};

absl::Status WriteVersion(rocksdb::DB& db, int version) {
  return FromRocksStatus(db.Put(SyncedWrite(), kStoreFormatKey, absl::StrCat(version)),
                         "writing the store's format version");
}

// 1 -> 2: the layout is unchanged; the store gains its version key (written after each
// step by StampStoreFormat).
absl::Status AddVersionKey(rocksdb::DB& /*db*/) { return absl::OkStatus(); }

// 2 -> 3: the store gains the "seals" family (signed evidence), which opening creates
// empty; nothing to rewrite. A collector of format 2 would not open the new family.
absl::Status AddSealsFamily(rocksdb::DB& /*db*/) { return absl::OkStatus(); }

constexpr MigrationStep kMigrations[] = {
    {1, "the store records its format version", &AddVersionKey},
    {2, "the store keeps the seals of signed batches", &AddSealsFamily},
};

absl::StatusOr<int> ParseVersion(const std::string& text, const std::string& path) {
  int version = 0;
  if (!absl::SimpleAtoi(text, &version) || version < 1) {
    return absl::DataLossError(
        absl::StrCat("store ", path, ": its format version '", text, "' is not a version number"));
  }
  return version;
}

}  // namespace

absl::StatusOr<std::optional<int>> ReadStoreFormat(rocksdb::Env* env, const std::string& path) {
  rocksdb::Env* filesystem = env != nullptr ? env : rocksdb::Env::Default();
  if (!filesystem->FileExists(path + "/CURRENT").ok()) return std::nullopt;
  rocksdb::DBOptions options;
  options.env = filesystem;
  // Only the default family: a newer store may have families this collector does not know.
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* opened = nullptr;
  rocksdb::Status status = rocksdb::DB::OpenForReadOnly(options, path, families, &handles, &opened);
  if (!status.ok()) return FromRocksStatus(status, absl::StrCat("reading store ", path));
  std::unique_ptr<rocksdb::DB> db(opened);
  std::string text;
  status = db->Get(rocksdb::ReadOptions(), kStoreFormatKey, &text);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  if (status.IsNotFound()) return 1;
  if (!status.ok()) return FromRocksStatus(status, absl::StrCat("reading store ", path));
  absl::StatusOr<int> version = ParseVersion(text, path);
  if (!version.ok()) return version.status();
  if (*version > kStoreFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("store ", path, " has format version ", *version, ", newer than version ",
                     kStoreFormatVersion,
                     ", the newest this collector reads: run a collector as new as "
                     "the one that wrote it, or restore a backup made by this version"));
  }
  return *version;
}

absl::StatusOr<int> StampStoreFormat(rocksdb::DB& db, std::optional<int> found,
                                     const std::string& path) {
  if (!found) {
    if (absl::Status s = WriteVersion(db, kStoreFormatVersion); !s.ok()) return s;
    return kStoreFormatVersion;
  }
  int version = *found;
  for (const MigrationStep& step : kMigrations) {
    if (step.from != version) continue;
    if (absl::Status s = step.apply(db); !s.ok()) return s;
    if (absl::Status s = WriteVersion(db, version + 1); !s.ok()) return s;
    LOG(INFO) << "store " << path << ": migrated from format version " << version << " to "
              << version + 1 << ": " << step.what;
    ++version;
  }
  if (version != kStoreFormatVersion) {
    return absl::InternalError(absl::StrCat("store ", path, ": no migration from format version ",
                                            version, " to ", kStoreFormatVersion));
  }
  return *found;
}

}  // namespace postura::collector
