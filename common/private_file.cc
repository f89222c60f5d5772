#include "common/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace postura {
namespace {

absl::Status WriteError(const std::filesystem::path& path, absl::string_view what) {
  return absl::UnavailableError(
      absl::StrCat("cannot write ", path.string(), ": ", what, ": ", std::strerror(errno)));
}

}  // namespace

absl::Status WritePrivateFile(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return WriteError(temporary, "open");
  // The mode given to open is masked by the umask, and an older file keeps its own mode.
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t written = 0;
  while (ok && written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return WriteError(temporary, "write");
  if (::rename(temporary.c_str(), path.c_str()) != 0) return WriteError(path, "rename");
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSecretFile(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path.string(), ": ", std::strerror(errno)));
  }
  if ((info.st_mode & 0077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        path.string(), " may be read by others than its owner; chmod 600 it (it holds a secret)"));
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
