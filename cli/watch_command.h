#ifndef POSTURA_CLI_WATCH_COMMAND_H_
#define POSTURA_CLI_WATCH_COMMAND_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/command_context.h"

namespace postura::cli {

struct WatchOptions {
  std::vector<std::string> asset_ids;  // Empty: every asset.
  std::string department_id;           // Empty: any.
  std::string supplier_id;             // Empty: any.
  bool targets_only = false;           // Only changes of whether targets are all met.
};

// `postura watch`: follows QueryService.Watch until Ctrl-C (SIGINT) or SIGTERM. On a
// terminal in text format it redraws a table of the watched assets in place; otherwise it
// prints one line per update (a JSON object per line with --format json). Returns kExitOk
// when interrupted, or the exit status of the collector's error (kExitUnreachable when it
// cannot be reached or goes away, kExitBadInput for, say, an unknown department).
// Installs its own SIGINT and SIGTERM handlers while it runs.
int RunWatch(CommandContext& context, const WatchOptions& options);

void AddWatchCommand(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_WATCH_COMMAND_H_
