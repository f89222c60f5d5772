#ifndef POSTURA_CLI_SCORE_COMMANDS_H_
#define POSTURA_CLI_SCORE_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/command_context.h"

namespace postura::cli {

// The live-score commands (QueryService). Each returns an exit status: kExitOk,
// kExitBadInput when the collector refused (say, an unknown asset; its message on stderr)
// or a value given is wrong, kExitUnreachable when the collector cannot be reached. Text
// goes to context.out for people; --format json prints the response message.

// `postura score ASSET [--outcomes] [--as-of T]`. `as_of` is empty for now, otherwise an
// RFC 3339 time or a duration back from `now`: the score as it was then, recomputed by
// the collector from its evidence log.
int RunAssetScore(CommandContext& context, const std::string& asset_id, bool with_outcomes,
                  const std::string& as_of = "", absl::Time now = absl::Now());

// `postura score --org [--as-of T]`, `postura org`.
int RunOrganizationScore(CommandContext& context, const std::string& as_of = "",
                         absl::Time now = absl::Now());

// `postura gaps ASSET`.
int RunGaps(CommandContext& context, const std::string& asset_id);

struct EvidenceOptions {
  std::string asset_id;
  std::string outcome_id;
  std::string since;   // A duration back from now ("24h", "7d"); empty: not given.
  std::string from;    // RFC 3339; empty: not given (then from the beginning).
  std::string to;      // RFC 3339; empty: until now.
  uint32_t limit = 0;  // 0: the collector's default (1000).
};

// `postura evidence ASSET OUTCOME`: the outcome's evidence history, oldest first. `now`
// anchors --since.
int RunEvidence(CommandContext& context, const EvidenceOptions& options, absl::Time now);

// `postura plan ASSET [--lock OUTCOME]...`: the collector's plan for the asset's targets.
// kExitTargetsConflict when they cannot all be met (the plan printed is the best one).
int RunPlan(CommandContext& context, const std::string& asset_id,
            const std::vector<std::string>& locked_outcome_ids);

void AddScoreCommands(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_SCORE_COMMANDS_H_
