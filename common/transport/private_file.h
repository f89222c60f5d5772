#ifndef POSTURA_COMMON_TRANSPORT_PRIVATE_FILE_H_
#define POSTURA_COMMON_TRANSPORT_PRIVATE_FILE_H_

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace postura {

// Replaces `path` with a file holding exactly `content`, with permission bits `mode`
// whatever the umask. The content goes to a new temporary file of random name in the same
// directory (created exclusively, never through a symbolic link, so nothing placed there
// in advance is followed or reused), is flushed to disk, and the file is renamed over
// `path`, then the directory is flushed: readers see the old file or the whole new one, a
// crash leaves one of them, and a symbolic link at `path` is replaced, not written through.
// FailedPrecondition if `path` is an existing directory (or names none);
// Unavailable naming the path on any other error, leaving no temporary file behind.
absl::Status WriteFileAtomically(const std::filesystem::path& path, absl::string_view content,
                                 mode_t mode);

// WriteFileAtomically with mode 0600: readable and writable by the owner only, for secrets.
absl::Status WritePrivateFile(const std::filesystem::path& path, const std::string& content);

// Checks that `path` (a private key, a token) is private before it is read: no
// permission bits for group or others, and owned by the user this process runs as or by
// root (a file another user owns could be replaced by that user; a process running as
// root takes any owner, as it reads the services' own files). Links are followed: the
// file they lead to is checked. FailedPrecondition naming the path, what is too open and
// the command that fixes it; NotFound if it does not exist.
absl::Status CheckPrivateFile(const std::filesystem::path& path);

// Reads a secret (a token) from `path`, without surrounding whitespace. NotFound if the
// file does not exist; FailedPrecondition if it is not private (CheckPrivateFile), if it
// is empty or larger than 4 KiB.
absl::StatusOr<std::string> ReadSecretFile(const std::filesystem::path& path);

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_PRIVATE_FILE_H_
