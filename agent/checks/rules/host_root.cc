#include "agent/checks/rules/host_root.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/checks/rules/parsers.h"

namespace postura::agent {
namespace {

// As the kernel's own limit on symlinks followed in one lookup.
constexpr int kMaxSymlinks = 40;
// openat2 says EAGAIN when a concurrent rename made ".." unsafe to check; it may be
// retried.
constexpr int kMaxRetries = 8;

// Set once openat2 was refused: the kernel will not grow it while we run.
std::atomic<bool> kernel_lacks_openat2{false};

// Owns a file descriptor.
class ScopedFd {
 public:
  explicit ScopedFd(int fd = -1) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() { Close(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  void Close() {
    if (fd_ >= 0) close(fd_);
  }
  int fd_;
};

// A descriptor, or the errno of the failure to get one.
struct Opened {
  ScopedFd fd;
  int error = 0;
};

Opened Failed(int error) { return {ScopedFd(), error}; }

absl::Status PathError(absl::string_view path, int error) {
  if (error == ENOENT || error == ENOTDIR) {
    return absl::NotFoundError(absl::StrCat(path, " does not exist"));
  }
  if (error == EACCES || error == EPERM) {
    return absl::PermissionDeniedError(absl::StrCat("cannot read ", path, ": permission denied"));
  }
  if (error == ELOOP) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot resolve ", path, ": too many or forbidden symbolic links"));
  }
  return absl::InternalError(absl::StrCat("cannot read ", path, ": ", std::strerror(error)));
}

// The path's names, without empty and "." components.
std::deque<std::string> Components(absl::string_view path) {
  std::deque<std::string> names;
  for (absl::string_view name : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (name != ".") names.emplace_back(name);
  }
  return names;
}

// The text of the symlink `fd` refers to (an O_PATH descriptor of the link itself).
absl::StatusOr<std::string> ReadLinkOf(int fd, absl::string_view path) {
  std::string text(256, '\0');
  while (true) {
    ssize_t n = readlinkat(fd, "", text.data(), text.size());
    if (n < 0) return PathError(path, errno);
    if (static_cast<size_t>(n) < text.size()) {
      text.resize(static_cast<size_t>(n));
      return text;
    }
    if (text.size() >= 65536) return PathError(path, ENAMETOOLONG);
    text.resize(text.size() * 2);
  }
}

// The kernel resolves: `flags` for the final open (O_NOFOLLOW added unless `follow_last`).
Opened OpenInRootWithKernel(int root_fd, absl::string_view path, int flags, bool follow_last) {
  open_how how;
  std::memset(&how, 0, sizeof(how));
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW));
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string relative(path.empty() ? "." : path);
  for (int attempt = 0;; ++attempt) {
    long fd = syscall(SYS_openat2, root_fd, relative.c_str(), &how, sizeof(how));
    if (fd >= 0) return {ScopedFd(static_cast<int>(fd)), 0};
    if (errno == EINTR || (errno == EAGAIN && attempt < kMaxRetries)) continue;
    return Failed(errno);
  }
}

// The same in user space, as openat2's RESOLVE_IN_ROOT does it: each component is opened
// with O_PATH | O_NOFOLLOW beneath the directory reached so far; a symlink's text is spliced
// into the remaining path (an absolute one restarting at the root); ".." at the root stays
// there. The final component is opened with `flags`.
Opened OpenInRootWithWalk(int root_fd, absl::string_view path, int flags, bool follow_last) {
  std::deque<std::string> todo = Components(path);
  std::vector<ScopedFd> dirs;  // The directories walked into, below the root.
  auto current = [&] { return dirs.empty() ? root_fd : dirs.back().get(); };
  int links = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == "..") {
      if (!dirs.empty()) dirs.pop_back();
      continue;
    }
    ScopedFd fd(openat(current(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) return Failed(errno);
    struct stat info;
    if (fstat(fd.get(), &info) != 0) return Failed(errno);
    bool last = todo.empty();
    if (S_ISLNK(info.st_mode) && (!last || follow_last)) {
      if (++links > kMaxSymlinks) return Failed(ELOOP);
      absl::StatusOr<std::string> target = ReadLinkOf(fd.get(), name);
      if (!target.ok()) return Failed(EIO);
      if (!target->empty() && (*target)[0] == '/') dirs.clear();
      std::deque<std::string> spliced = Components(*target);
      todo.insert(todo.begin(), spliced.begin(), spliced.end());
      continue;
    }
    if (last) {
      if ((flags & O_PATH) != 0) return {std::move(fd), 0};
      // Re-opened by name with O_NOFOLLOW: if it turned into a symlink meanwhile, ELOOP.
      ScopedFd opened(openat(current(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC));
      if (opened.get() < 0) return Failed(errno);
      return {std::move(opened), 0};
    }
    if (!S_ISDIR(info.st_mode)) return Failed(ENOTDIR);
    dirs.push_back(std::move(fd));
  }
  // The path named a directory by ending in ".." or a symlink to one (or was the root).
  ScopedFd fd(openat(current(), ".", flags | O_CLOEXEC));
  if (fd.get() < 0) return Failed(errno);
  return {std::move(fd), 0};
}

absl::StatusOr<struct stat> StatOf(int fd, absl::string_view path) {
  struct stat info;
  if (fstatat(fd, "", &info, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) {
    return PathError(path, errno);
  }
  return info;
}

// Reads `fd` to its end; FailedPrecondition past kMaxHostFileBytes.
absl::StatusOr<std::string> ReadAll(int fd, absl::string_view path) {
  std::string text;
  char buffer[65536];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return absl::FailedPreconditionError(absl::StrCat(path, " would block"));
    }
    if (n < 0) return PathError(path, errno);
    if (n == 0) return text;
    if (text.size() + static_cast<size_t>(n) > kMaxHostFileBytes) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, " is larger than ", kMaxHostFileBytes >> 20, " MiB"));
    }
    text.append(buffer, static_cast<size_t>(n));
  }
}

absl::Status NotRegular(absl::string_view path) {
  return absl::FailedPreconditionError(absl::StrCat(path, " is not a regular file"));
}

// True if openat2 is refused outright: ENOSYS from a kernel before 5.6, or EPERM from a
// container's seccomp filter that predates it (opening the root itself cannot be denied).
bool Openat2Refused(int root_fd, int error) {
  if (error == ENOSYS) return true;
  return error == EPERM && OpenInRootWithKernel(root_fd, ".", O_PATH, true).error == EPERM;
}

Opened OpenInRoot(int root_fd, HostRoot::Resolver resolver, absl::string_view path, int flags,
                  bool follow_last) {
  if (resolver == HostRoot::Resolver::kKernel && !kernel_lacks_openat2.load()) {
    Opened opened = OpenInRootWithKernel(root_fd, path, flags, follow_last);
    if (!Openat2Refused(root_fd, opened.error)) return opened;
    kernel_lacks_openat2.store(true);
  }
  return OpenInRootWithWalk(root_fd, path, flags, follow_last);
}

}  // namespace

HostRoot::HostRoot(std::filesystem::path root, Resolver resolver)
    : path_(std::move(root)), resolver_(resolver) {
  root_fd_ = open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0) open_error_ = PathError(path_.string(), errno);
}

HostRoot::~HostRoot() {
  if (root_fd_ >= 0) close(root_fd_);
}

bool HostRoot::IsLiveHost() const {
  struct stat ours, live;
  return root_fd_ >= 0 && fstat(root_fd_, &ours) == 0 && stat("/", &live) == 0 &&
         ours.st_dev == live.st_dev && ours.st_ino == live.st_ino;
}

absl::StatusOr<std::string> HostRoot::ReadFile(absl::string_view path) const {
  if (root_fd_ < 0) return open_error_;
  // Looked at before it is opened for reading: opening a device can have effects (a
  // watchdog starts, a tape rewinds), and opening a FIFO without O_NONBLOCK blocks.
  Opened found = OpenInRoot(root_fd_, resolver_, path, O_PATH, /*follow_last=*/true);
  if (found.error != 0) return PathError(path, found.error);
  absl::StatusOr<struct stat> before = StatOf(found.fd.get(), path);
  if (!before.ok()) return before.status();
  if (!S_ISREG(before->st_mode)) return NotRegular(path);
  if (static_cast<uint64_t>(before->st_size) > kMaxHostFileBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is larger than ", kMaxHostFileBytes >> 20, " MiB"));
  }
  Opened file = OpenInRoot(root_fd_, resolver_, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, true);
  if (file.error != 0) return PathError(path, file.error);
  absl::StatusOr<struct stat> after = StatOf(file.fd.get(), path);
  if (!after.ok()) return after.status();
  // Replaced between the two opens: whatever it is now, it was not what we looked at.
  if (!S_ISREG(after->st_mode) || after->st_dev != before->st_dev ||
      after->st_ino != before->st_ino) {
    return NotRegular(path);
  }
  // Regular files never block a read (/proc and /sys ones included), so this ends.
  return ReadAll(file.fd.get(), path);
}

absl::StatusOr<struct stat> HostRoot::Stat(absl::string_view path) const {
  if (root_fd_ < 0) return open_error_;
  Opened found = OpenInRoot(root_fd_, resolver_, path, O_PATH, /*follow_last=*/true);
  if (found.error != 0) return PathError(path, found.error);
  return StatOf(found.fd.get(), path);
}

absl::StatusOr<struct stat> HostRoot::LinkStat(absl::string_view path) const {
  if (root_fd_ < 0) return open_error_;
  Opened found = OpenInRoot(root_fd_, resolver_, path, O_PATH, /*follow_last=*/false);
  if (found.error != 0) return PathError(path, found.error);
  return StatOf(found.fd.get(), path);
}

absl::StatusOr<std::string> HostRoot::ReadLink(absl::string_view path) const {
  if (root_fd_ < 0) return open_error_;
  Opened found = OpenInRoot(root_fd_, resolver_, path, O_PATH, /*follow_last=*/false);
  if (found.error != 0) return PathError(path, found.error);
  absl::StatusOr<struct stat> info = StatOf(found.fd.get(), path);
  if (!info.ok()) return info.status();
  if (!S_ISLNK(info->st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a symbolic link"));
  }
  return ReadLinkOf(found.fd.get(), path);
}

absl::StatusOr<std::vector<std::string>> HostRoot::ListDirectory(absl::string_view path) const {
  if (root_fd_ < 0) return open_error_;
  Opened found = OpenInRoot(root_fd_, resolver_, path, O_RDONLY | O_DIRECTORY | O_NONBLOCK, true);
  if (found.error != 0) return PathError(path, found.error);
  DIR* dir = fdopendir(found.fd.get());
  if (dir == nullptr) return PathError(path, errno);
  found.fd.release();  // Now closed by closedir.
  std::vector<std::string> names;
  int error = 0;
  while (true) {
    errno = 0;
    const dirent* entry = readdir(dir);
    if (entry == nullptr) {
      error = errno;
      break;
    }
    absl::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  closedir(dir);
  if (error != 0) return PathError(path, error);
  return names;
}

absl::StatusOr<int64_t> LookUpUid(const HostRoot& host, absl::string_view name) {
  int64_t id = 0;
  if (absl::SimpleAtoi(name, &id)) return id;
  absl::StatusOr<std::string> text = host.ReadFile("/etc/passwd");
  if (absl::IsNotFound(text.status())) {
    // Not "no such user": the user may well exist, we cannot tell.
    return absl::FailedPreconditionError(
        absl::StrCat("cannot look up user '", name, "': /etc/passwd does not exist"));
  }
  if (!text.ok()) return text.status();
  for (const PasswdEntry& entry : ParsePasswd(*text)) {
    if (entry.name == name) return entry.uid;
  }
  return absl::NotFoundError(absl::StrCat("user '", name, "' is not in /etc/passwd"));
}

absl::StatusOr<int64_t> LookUpGid(const HostRoot& host, absl::string_view name) {
  int64_t id = 0;
  if (absl::SimpleAtoi(name, &id)) return id;
  absl::StatusOr<std::string> text = host.ReadFile("/etc/group");
  if (absl::IsNotFound(text.status())) {
    // Not "no such group": the group may well exist, we cannot tell.
    return absl::FailedPreconditionError(
        absl::StrCat("cannot look up group '", name, "': /etc/group does not exist"));
  }
  if (!text.ok()) return text.status();
  for (const GroupEntry& entry : ParseGroup(*text)) {
    if (entry.name == name) return entry.gid;
  }
  return absl::NotFoundError(absl::StrCat("group '", name, "' is not in /etc/group"));
}

}  // namespace postura::agent
