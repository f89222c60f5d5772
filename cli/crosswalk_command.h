// `postura report --framework F [--against G] [--asset A|--org] [--mapping [FW=]FILE]...`:
// the crosswalk reports. Reads the outcome levels of the assets in scope from the
// collector (GetAssetScore), loads the shipped and the operator's mapping files
// (common/crosswalk), and renders with cli/crosswalk_text.h. Called from
// cli/report_command.cc once the command line is parsed. Threading: runs on the CLI's one
// thread.
#ifndef POSTURA_CLI_CROSSWALK_COMMAND_H_
#define POSTURA_CLI_CROSSWALK_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/command_context.h"
#include "common/crosswalk/control_standing.h"
#include "common/model/catalog.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

struct CrosswalkOptions {
  std::string framework;  // As given; validated by RunCrosswalkReport.
  std::string against;    // Empty: no alignment.
  std::string asset;      // Empty: the organisation.
  // Operator mapping files: "FILE" for the framework, "NAME=FILE" for framework NAME (one
  // of the report's two).
  std::vector<std::string> mappings;
  bool json = false;
  std::string output;  // Empty: standard output.
};

// Runs the report: 0, or 1 for an unknown framework, a bad or unreadable mapping file, an
// unknown asset or a refused request (the error on stderr), 4 for an unreachable collector.
int RunCrosswalkReport(CommandContext& c, const CrosswalkOptions& options);

// One asset's readings from its score: every catalog outcome not listed is not applicable.
// FailedPrecondition naming the outcome when the collector scores one the CLI's catalog
// lacks (different catalogs).
absl::StatusOr<crosswalk::AssetReadings> ReadingsFromScore(const Catalog& catalog,
                                                           const v1::AssetScore& score);

}  // namespace postura::cli

#endif  // POSTURA_CLI_CROSSWALK_COMMAND_H_
