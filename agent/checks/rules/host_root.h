#ifndef POSTURA_AGENT_CHECKS_RULES_HOST_ROOT_H_
#define POSTURA_AGENT_CHECKS_RULES_HOST_ROOT_H_

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace postura::agent {

// The largest file ReadFile returns; a larger one is an error, never a silent cut.
inline constexpr size_t kMaxHostFileBytes = 16 << 20;

// The directory tree that stands for a host's filesystem: "/" on the live host, a fixture
// tree in tests. Every path is resolved inside it as if the agent had chroot()ed there:
// "..", absolute symlinks and symlinks that climb out all stay within the root, so a link
// planted in a checked tree (etc/ssh/sshd_config -> /etc/shadow) reads the tree's own
// file, never the agent's host. Magic links (/proc/PID/fd/N, /proc/PID/root) are not
// followed. Paths are absolute or relative to the root, e.g. "/etc/passwd".
//
// The kernel resolves with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS); where it has
// no openat2 (ENOSYS, before Linux 5.6, or EPERM from an older container seccomp filter) a
// walk component by component with O_NOFOLLOW does the same, expanding at most 40 symlinks.
//
// Errors: NotFound if the path (or the root itself) does not exist, PermissionDenied if
// it may not be read, FailedPrecondition if it is of the wrong type or too large, Internal
// otherwise; the message names the path as given.
//
// Thread-safe: the root directory is opened once, in the constructor, and only read.
class HostRoot {
 public:
  enum class Resolver {
    kKernel,  // openat2, or the walk where the kernel lacks it.
    kWalk,    // Always the walk (tests use it to cover the fallback).
  };

  // Opens `root`. A root that cannot be opened behaves as an empty tree: every call
  // returns the error of opening it (NotFound if it does not exist).
  explicit HostRoot(std::filesystem::path root, Resolver resolver = Resolver::kKernel);
  ~HostRoot();
  HostRoot(const HostRoot&) = delete;
  HostRoot& operator=(const HostRoot&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // True if the root is the live host's own "/".
  bool IsLiveHost() const;

  // The contents of a regular file (as /proc and /sys files are), read without blocking:
  // a FIFO, socket, device or directory is FailedPrecondition, and so is a file larger
  // than kMaxHostFileBytes.
  absl::StatusOr<std::string> ReadFile(absl::string_view path) const;

  // stat(2) of `path`, symlinks followed inside the root.
  absl::StatusOr<struct stat> Stat(absl::string_view path) const;

  // lstat(2) of `path`: a final symlink is not followed (the directories leading to it
  // are, inside the root).
  absl::StatusOr<struct stat> LinkStat(absl::string_view path) const;

  // The text of the symlink `path` (not followed). FailedPrecondition if it is no symlink.
  // Works on /proc/PID/exe, whose text names the program without it being opened.
  absl::StatusOr<std::string> ReadLink(absl::string_view path) const;

  // The names in directory `path`, without "." and "..", in no particular order.
  absl::StatusOr<std::vector<std::string>> ListDirectory(absl::string_view path) const;

 private:
  std::filesystem::path path_;
  Resolver resolver_;
  int root_fd_ = -1;
  absl::Status open_error_;  // Why root_fd_ is -1.
};

// The uid of a user name, or of a number, through <root>/etc/passwd. NotFound if there is
// no such user; FailedPrecondition if there is no /etc/passwd to tell.
absl::StatusOr<int64_t> LookUpUid(const HostRoot& host, absl::string_view name);

// The gid of a group name, or of a number, through <root>/etc/group. NotFound if there is
// no such group; FailedPrecondition if there is no /etc/group to tell.
absl::StatusOr<int64_t> LookUpGid(const HostRoot& host, absl::string_view name);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECKS_RULES_HOST_ROOT_H_
