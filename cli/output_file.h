#ifndef POSTURA_CLI_OUTPUT_FILE_H_
#define POSTURA_CLI_OUTPUT_FILE_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace postura::cli {

// The mode of the files `-o` writes (reports, plans, FLECO cases): the owner and the
// owner's group may read them, nobody else. Tokens are written owner-only (0600).
inline constexpr mode_t kOutputFileMode = 0640;

// Writes `text` (a report, Markdown or JSON, or a FLECO case) to `path` for `-o`, as
// WriteFileAtomically (common/private_file.h) does with kOutputFileMode: never through a
// symbolic link nor a predictable temporary name, and with that mode whatever the umask.
// The text goes through TerminalSafeLines first, since such files get `cat`ed to
// terminals; for JSON that changes the bytes, not the meaning. FailedPrecondition if `path`
// is a directory; Unavailable naming the path on other errors.
absl::Status WriteOutputFile(const std::string& path, absl::string_view text);

}  // namespace postura::cli

#endif  // POSTURA_CLI_OUTPUT_FILE_H_
