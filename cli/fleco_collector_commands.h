#ifndef POSTURA_CLI_FLECO_COLLECTOR_COMMANDS_H_
#define POSTURA_CLI_FLECO_COLLECTOR_COMMANDS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "cli/command_context.h"
#include "common/fleco/fleco_case.h"
#include "common/model/catalog.h"
#include "postura/v1/admin.pb.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

// A FLECO case of an asset as the collector sees it: its group, the current level of each
// outcome (outcomes the score does not list are DLI_0) and its registered targets, without
// a target status. InvalidArgument naming the item when the score or a target uses an id
// `catalog` does not have (the collector runs another catalog: pass it with --catalog), or
// a level or group is unspecified.
absl::StatusOr<FlecoCase> CaseFromCollector(const Catalog& catalog, const v1::AssetScore& score,
                                            const v1::GetTargetsResponse& targets);

// `postura fleco export ASSET [-o CASE.json]`: writes the asset's case (CaseFromCollector)
// to `output_path`, or to context.out when it is empty or "-". kExitBadInput when the file
// cannot be written or the catalogs differ.
int RunFlecoExport(CommandContext& context, const std::string& asset_id,
                   const std::string& output_path);

// `postura fleco import CASE.json ASSET`: makes the case's strategic constraints the
// asset's targets (replacing all others). The case's levels are not imported: they come
// from the agents' evidence. kExitBadInput for an invalid case or targets the collector
// refuses (say, for a group other than the asset's).
int RunFlecoImport(CommandContext& context, const std::string& case_path,
                   const std::string& asset_id);

// Adds `export` and `import` under the `fleco` command.
void AddFlecoCollectorCommands(CLI::App& fleco, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_FLECO_COLLECTOR_COMMANDS_H_
