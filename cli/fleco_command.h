#ifndef POSTURA_CLI_FLECO_COMMAND_H_
#define POSTURA_CLI_FLECO_COMMAND_H_

#include <iosfwd>
#include <string>

#include "common/model/catalog.h"

namespace postura::cli {

// Exit statuses of the `postura` command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;  // A file or value given was invalid; see stderr.
inline constexpr int kExitUsage = 2;     // The command line itself was wrong.

enum class OutputFormat { kText, kJson };

struct FlecoScoreOptions {
  std::string case_path;
  OutputFormat format = OutputFormat::kText;
};

// `postura fleco score CASE.json`: prints the values of the case's initial status (and of
// its target status when present) and the credit of every strategic target with the
// coverage. Returns an exit status; errors go to `err` naming the file and field.
int RunFlecoScore(const Catalog& catalog, const FlecoScoreOptions& options, std::ostream& out,
                  std::ostream& err);

}  // namespace postura::cli

#endif  // POSTURA_CLI_FLECO_COMMAND_H_
