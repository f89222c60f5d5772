#include "cli/output_file.h"

#include "cli/terminal_text.h"
#include "common/transport/private_file.h"

namespace postura::cli {

absl::Status WriteOutputFile(const std::string& path, absl::string_view text) {
  return WriteFileAtomically(path, TerminalSafeLines(text), kOutputFileMode);
}

}  // namespace postura::cli
