#ifndef POSTURA_CLI_TARGETS_COMMAND_H_
#define POSTURA_CLI_TARGETS_COMMAND_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/command_context.h"

namespace postura::cli {

// `postura targets list ASSET`: the asset's strategic targets as expressions.
int RunTargetsList(CommandContext& context, const std::string& asset_id);

// `postura targets set ASSET TARGET...`: parses the expressions (target_expression.h; the
// words are joined with spaces, so "PR >= 0.8" may come as three arguments) and makes them
// the asset's targets, replacing all others. kExitBadInput with the parse error, or with
// the collector's message when a target does not apply to the asset's group.
int RunTargetsSet(CommandContext& context, const std::string& asset_id,
                  const std::vector<std::string>& words);

// `postura targets clear ASSET`: removes every target of the asset.
int RunTargetsClear(CommandContext& context, const std::string& asset_id);

void AddTargetsCommands(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_TARGETS_COMMAND_H_
