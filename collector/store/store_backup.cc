#include "collector/store/store_backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "collector/store/evidence_store.h"
#include "collector/store/store_format.h"
#include "collector/store/store_status.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/checkpoint.h"

namespace postura::collector {
namespace {

namespace fs = std::filesystem;

// Copies one file and syncs it, so a restore that returned is on disk.
absl::Status CopySynced(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::copy_file(from, to, fs::copy_options::none, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("copying ", from.string(), " to ", to.string(), ": ", error.message()));
  }
  const int fd = open(to.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && fsync(fd) == 0;
  if (fd >= 0) close(fd);
  if (!synced) return absl::UnavailableError(absl::StrCat("syncing ", to.string()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StoreSnapshot> EvidenceStore::Checkpoint(const std::string& directory) const {
  rocksdb::Checkpoint* made = nullptr;
  rocksdb::Status status = rocksdb::Checkpoint::Create(db_.get(), &made);
  if (!status.ok()) return FromRocksStatus(status, "preparing a checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(made);
  uint64_t sequence = 0;
  // log_size_for_flush 0: flush every family first, so the copy needs little of the WAL.
  status = checkpoint->CreateCheckpoint(directory, /*log_size_for_flush=*/0, &sequence);
  if (!status.ok()) {
    return FromRocksStatus(status, absl::StrCat("writing a checkpoint to ", directory));
  }
  absl::StatusOr<StoreSnapshot> snapshot = MeasureStoreCopy(directory);
  if (!snapshot.ok()) return snapshot.status();
  snapshot->sequence = sequence;
  return snapshot;
}

absl::StatusOr<StoreSnapshot> MeasureStoreCopy(const std::string& directory) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    return absl::NotFoundError(absl::StrCat("no directory ", directory));
  }
  StoreSnapshot snapshot;
  snapshot.directory = directory;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(directory, error)) {
    if (!entry.is_regular_file(error)) continue;
    ++snapshot.files;
    snapshot.bytes += entry.file_size(error);
  }
  if (error) {
    return absl::UnavailableError(absl::StrCat("reading ", directory, ": ", error.message()));
  }
  return snapshot;
}

absl::StatusOr<int> CheckStoreCopy(const std::string& path) {
  absl::StatusOr<std::optional<int>> format = ReadStoreFormat(nullptr, path);
  if (!format.ok()) return format.status();
  if (!*format) return absl::NotFoundError(absl::StrCat("no store in ", path));
  return **format;
}

absl::Status CopyStore(const std::string& from, const std::string& to) {
  std::error_code error;
  if (fs::exists(to, error)) {
    return absl::FailedPreconditionError(absl::StrCat(to, " exists already"));
  }
  if (!fs::create_directories(to, error)) {
    return absl::UnavailableError(absl::StrCat("creating ", to, ": ", error.message()));
  }
  fs::permissions(to, fs::perms::owner_all, error);
  absl::Status copied = absl::OkStatus();
  for (const fs::directory_entry& entry : fs::directory_iterator(from, error)) {
    if (!entry.is_regular_file()) continue;
    copied = CopySynced(entry.path(), fs::path(to) / entry.path().filename());
    if (!copied.ok()) break;
  }
  if (copied.ok() && error) {
    copied = absl::UnavailableError(absl::StrCat("reading ", from, ": ", error.message()));
  }
  if (!copied.ok()) fs::remove_all(to, error);
  return copied;
}

absl::Status CheckStoreUnused(const std::string& path) {
  const std::string lock_file = path + "/LOCK";
  const int fd = open(lock_file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return absl::OkStatus();  // No store, or never opened: nobody holds it.
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  const bool asked = fcntl(fd, F_GETLK, &lock) == 0;
  close(fd);
  if (asked && lock.l_type != F_UNLCK) {
    return absl::FailedPreconditionError(absl::StrCat("store ", path, " is in use by process ",
                                                      lock.l_pid, ": stop the collector first"));
  }
  return absl::OkStatus();
}

}  // namespace postura::collector
