// `postura export`: the posture in OSCAL 1.1.2 (JSON) for auditors' tools.
//   export oscal --asset A | --org [-o FILE]   assessment results from the collector
//   export oscal-catalog [--profile IG1|IG2|IG3] [--catalog-href HREF] [-o FILE]
//                                               the catalog, or a group's profile
// The documents are built by cli/oscal (docs/oscal.md); this unit reads what they need from
// the collector. Called by main.cc; runs on main's thread only.

#ifndef POSTURA_CLI_EXPORT_COMMAND_H_
#define POSTURA_CLI_EXPORT_COMMAND_H_

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "cli/command_context.h"
#include "cli/oscal/assessment_results.h"

namespace postura::cli {

// Adds `export` and its subcommands to `app`.
void AddExportCommand(CLI::App& app, CommandLine& line);

// Reads from the collector what an assessment-results export of `asset_id` (or of the
// organisation, when empty) holds: the scores, the stored record of each observed
// evidence item, the tenants. The collector's error (NotFound for an unknown asset) on
// failure.
absl::StatusOr<oscal::AssessmentInput> ReadAssessment(CommandContext& c,
                                                      const std::string& asset_id);

}  // namespace postura::cli

#endif  // POSTURA_CLI_EXPORT_COMMAND_H_
