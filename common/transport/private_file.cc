#include "common/transport/private_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace postura {
namespace {

// Tries at random names; a clash with a file someone placed there is astronomically rare
// unless they can read our random numbers, so a few attempts are plenty.
constexpr int kTemporaryNameAttempts = 8;
// Room for the dot, the random part and ".tmp" within the 255 bytes a name may have.
constexpr std::size_t kMaxTemporaryStem = 200;

absl::Status WriteError(const std::filesystem::path& path, absl::string_view what) {
  return absl::UnavailableError(
      absl::StrCat("cannot write ", path.string(), ": ", what, ": ", std::strerror(errno)));
}

// 16 random hex digits, or "" if the kernel gave no random bytes.
std::string RandomHex() {
  unsigned char bytes[8];
  if (::getrandom(bytes, sizeof(bytes), 0) != static_cast<ssize_t>(sizeof(bytes))) return "";
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

// Creates a new file in `directory` named after `name` with a random part, owner-only for
// now, never following a symbolic link nor reusing anything already there; sets
// `temporary` to its path. The descriptor, or -1 with errno set.
int CreateTemporary(const std::filesystem::path& directory, const std::string& name,
                    std::filesystem::path& temporary) {
  for (int attempt = 0; attempt < kTemporaryNameAttempts; ++attempt) {
    const std::string suffix = RandomHex();
    if (suffix.empty()) return -1;
    temporary =
        directory / absl::StrCat(".", name.substr(0, kMaxTemporaryStem), ".", suffix, ".tmp");
    const int fd =
        ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

bool WriteAll(int fd, absl::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Removes the temporary file after a failure, keeping the failure's errno for the message.
absl::Status Abandon(const std::filesystem::path& temporary, const std::filesystem::path& shown,
                     absl::string_view what) {
  const int saved = errno;
  ::unlink(temporary.c_str());
  errno = saved;
  return WriteError(shown, what);
}

}  // namespace

absl::Status WriteFileAtomically(const std::filesystem::path& path, absl::string_view content,
                                 mode_t mode) {
  const std::string name = path.filename().string();
  struct stat existing {};
  if (name.empty() || name == "." || name == ".." ||
      (::lstat(path.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode))) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", path.string(), ": it is a directory; name a file"));
  }
  const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
  std::filesystem::path temporary;
  const int fd = CreateTemporary(directory, name, temporary);
  if (fd < 0) return WriteError(path, "creating a temporary file beside it");
  // The mode given to open is masked by the umask: set the one asked for, exactly.
  const bool written = ::fchmod(fd, mode & 07777) == 0 && WriteAll(fd, content) && ::fsync(fd) == 0;
  const int write_errno = errno;
  const bool closed = ::close(fd) == 0;
  if (!written) errno = write_errno;
  if (!written || !closed) return Abandon(temporary, path, "write");
  // rename replaces whatever `path` names, a symbolic link included, and never follows it.
  if (::rename(temporary.c_str(), path.c_str()) != 0) return Abandon(temporary, path, "rename");
  const int directory_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd < 0) return WriteError(directory, "open to sync");
  // Some file systems cannot sync a directory (EINVAL); the file is in place all the same.
  const bool synced = ::fsync(directory_fd) == 0 || errno == EINVAL;
  const int sync_errno = errno;
  ::close(directory_fd);
  errno = sync_errno;
  if (!synced) return WriteError(directory, "sync");
  return absl::OkStatus();
}

absl::Status WritePrivateFile(const std::filesystem::path& path, const std::string& content) {
  return WriteFileAtomically(path, content, 0600);
}

absl::Status CheckPrivateFile(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path.string(), ": ", std::strerror(errno)));
  }
  if ((info.st_mode & 0077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s has mode %04o: others than its owner may use it; chmod 600 %s (it holds a secret)",
        path.string(), info.st_mode & 07777, path.string()));
  }
  // Root reads the files of the services' users (the admin token in /var/lib/postura).
  const uid_t self = ::geteuid();
  if (self != 0 && info.st_uid != self && info.st_uid != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s belongs to uid %d, neither this process's user (uid %d) nor root: that user could "
        "replace the secret; chown it to the service's user",
        path.string(), info.st_uid, self));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSecretFile(const std::filesystem::path& path) {
  if (absl::Status s = CheckPrivateFile(path); !s.ok()) return s;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path.string(), ": ", std::strerror(errno)));
  }
  if (info.st_size > 4096) {
    return absl::FailedPreconditionError(
        absl::StrCat(path.string(), " is larger than 4 KiB; it should hold one token"));
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::string secret(absl::StripAsciiWhitespace(text.str()));
  if (secret.empty())
    return absl::FailedPreconditionError(absl::StrCat(path.string(), " is empty"));
  return secret;
}

}  // namespace postura
