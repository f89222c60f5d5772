#ifndef POSTURA_CLI_HISTORY_COMMANDS_H_
#define POSTURA_CLI_HISTORY_COMMANDS_H_

// The commands about the past: `postura history` (how an asset's or the organisation's
// figures moved) and `postura diff` (what changed between two instants); `postura score
// --as-of` is in score_commands.h. Each returns an exit status as the score commands do
// (kExitBadInput for a malformed time or duration, with a message naming the option).
// Instants are RFC 3339 times or durations back from now ("7d").
//
// Threading: run on main's thread.

#include <string>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "cli/command_context.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

struct HistoryOptions {
  std::string asset_id;  // Empty with organization.
  bool organization = false;
  std::string since, until, step;  // Empty: not given.
};
// `postura history ASSET|--org [--since T] [--until T] [--step D]`. `now` anchors
// durations.
int RunHistory(CommandContext& context, const HistoryOptions& options, absl::Time now);

struct DiffOptions {
  std::string asset_id;  // Empty with organization.
  bool organization = false;
  std::string from, to;  // `to` empty: now.
};
// `postura diff ASSET|--org --from T1 [--to T2]`.
int RunDiff(CommandContext& context, const DiffOptions& options, absl::Time now);

// The text forms, for people.
std::string ScoreHistoryText(const std::string& subject, const v1::ScoreHistory& history);
std::string ScoreDiffText(const std::string& subject, const v1::ScoreDiff& diff);

void AddHistoryCommands(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_HISTORY_COMMANDS_H_
