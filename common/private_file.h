#ifndef POSTURA_COMMON_PRIVATE_FILE_H_
#define POSTURA_COMMON_PRIVATE_FILE_H_

#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace postura {

// Writes `content` to `path` readable and writable by the owner only (mode 0600): to a
// temporary file in the same directory, flushed to disk, then renamed over `path`, so a
// crash leaves either the old file or the new one. Unavailable naming the path on error.
absl::Status WritePrivateFile(const std::filesystem::path& path, const std::string& content);

// Reads a secret (a token) from `path`, without surrounding whitespace. NotFound if the
// file does not exist; FailedPrecondition if others than the owner may read it (it
// would not be a secret), if it is empty or larger than 4 KiB.
absl::StatusOr<std::string> ReadSecretFile(const std::filesystem::path& path);

}  // namespace postura

#endif  // POSTURA_COMMON_PRIVATE_FILE_H_
