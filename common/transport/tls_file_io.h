#ifndef POSTURA_COMMON_TRANSPORT_TLS_FILE_IO_H_
#define POSTURA_COMMON_TRANSPORT_TLS_FILE_IO_H_

// The file and directory operations behind the TLS units: reading a PEM file of bounded
// size, writing a file durably with an exact mode, and creating and locking the local
// CA's private directory. Internal: tls_files.cc and local_ca.cc call it; everyone else
// uses common/tls_files.h or common/local_ca.h. The functions keep no state, so any
// thread may call them; a ScopedFd belongs to one thread at a time. Errors name the path
// and carry the errno's code.

#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace postura::tls_internal {

// Far more than any certificate chain; stops a mistaken path (a log, a device) early.
inline constexpr size_t kMaxPemBytes = 1 << 20;

// Closes the file descriptor it owns when destroyed.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ScopedFd& operator=(ScopedFd&&) = delete;
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and returns close(2)'s result, which can report a delayed write error.
  int Close() { return close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

// `what` and `path`, with the current errno's code and text.
absl::Status ErrnoError(absl::string_view what, const std::filesystem::path& path);

// The contents of `path`. The errno's code (NotFound for a missing file) naming the file
// if it cannot be read; InvalidArgument if it is larger than kMaxPemBytes.
absl::StatusOr<std::string> ReadTextFile(const std::filesystem::path& path);

// Replaces `path` with a file holding `contents` with exactly `mode`, synced to disk.
absl::Status WriteSyncedFile(const std::filesystem::path& path, absl::string_view contents,
                             mode_t mode);

// Syncs `directory` itself, so that renames into it survive a crash.
absl::Status SyncDirectory(const std::filesystem::path& directory);

// Creates `directory` with mode 0700 unless it exists (an existing one keeps its mode);
// missing parents get the default mode.
absl::Status MakePrivateDirectory(const std::filesystem::path& directory);

// An exclusive flock(2) on `directory`, held until the returned descriptor is closed.
absl::StatusOr<ScopedFd> LockDirectory(const std::filesystem::path& directory);

}  // namespace postura::tls_internal

#endif  // POSTURA_COMMON_TRANSPORT_TLS_FILE_IO_H_
