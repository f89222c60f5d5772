#include "common/transport/tls_file_io.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace postura::tls_internal {

namespace fs = std::filesystem;

namespace {

constexpr mode_t kDirectoryMode = 0700;

// Writes all of `contents` to `fd`, whose file is `path` (for errors).
absl::Status WriteAll(int fd, absl::string_view contents, const fs::path& path) {
  while (!contents.empty()) {
    const ssize_t n = write(fd, contents.data(), contents.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot write", path);
    contents.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ErrnoError(absl::string_view what, const fs::path& path) {
  const int error = errno;
  return absl::ErrnoToStatus(error, absl::StrCat(what, " ", path.string()));
}

absl::StatusOr<std::string> ReadTextFile(const fs::path& path) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("cannot open", path);
  std::string text;
  char buffer[16384];
  while (true) {
    const ssize_t n = read(fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read", path);
    if (n == 0) return text;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxPemBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), " is larger than ", kMaxPemBytes, " bytes: not a PEM file"));
    }
  }
}

absl::Status WriteSyncedFile(const fs::path& path, absl::string_view contents, mode_t mode) {
  ScopedFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
  if (fd.get() < 0) return ErrnoError("cannot create", path);
  // An old file keeps its mode through O_TRUNC, and the umask may have narrowed a new
  // one: set it before the first byte is written.
  if (fchmod(fd.get(), mode) != 0) return ErrnoError("cannot set the mode of", path);
  if (absl::Status s = WriteAll(fd.get(), contents, path); !s.ok()) return s;
  if (fsync(fd.get()) != 0) return ErrnoError("cannot sync", path);
  if (fd.Close() != 0) return ErrnoError("cannot close", path);
  return absl::OkStatus();
}

absl::Status SyncDirectory(const fs::path& directory) {
  ScopedFd fd(open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("cannot open", directory);
  if (fsync(fd.get()) != 0) return ErrnoError("cannot sync", directory);
  return absl::OkStatus();
}

absl::Status MakePrivateDirectory(const fs::path& directory) {
  std::error_code error;
  if (directory.has_parent_path() && !fs::create_directories(directory.parent_path(), error) &&
      error) {
    return absl::ErrnoToStatus(error.value(),
                               absl::StrCat("cannot create ", directory.parent_path().string()));
  }
  if (mkdir(directory.c_str(), kDirectoryMode) == 0) {
    if (chmod(directory.c_str(), kDirectoryMode) != 0) {
      return ErrnoError("cannot set the mode of", directory);
    }
    return absl::OkStatus();
  }
  if (errno != EEXIST) return ErrnoError("cannot create", directory);
  if (!fs::is_directory(directory, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat(directory.string(), " exists and is not a directory"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ScopedFd> LockDirectory(const fs::path& directory) {
  ScopedFd fd(open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoError("cannot open", directory);
  while (flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoError("cannot lock", directory);
  }
  return fd;
}

}  // namespace postura::tls_internal
