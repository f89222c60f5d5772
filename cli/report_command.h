#ifndef POSTURA_CLI_REPORT_COMMAND_H_
#define POSTURA_CLI_REPORT_COMMAND_H_

#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "cli/command_context.h"
#include "cli/tier_report.h"
#include "postura/v1/exceptions.pb.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

// What one posture report holds: the organisation's rollups and implementation tiers,
// every asset's summary, each asset's gaps, those with an accepted risk, and how long gaps
// stayed open (by functional area, the last 90 days), read from the collector at one
// moment.
struct PostureReport {
  absl::Time generated_at;
  std::string collector;
  // Nullopt when the credential may not read organisation-wide figures (a supplier, a
  // department officer): the report then covers the assets it may see.
  std::optional<v1::OrganizationScore> organization;
  v1::ListAssetScoresResponse assets;
  std::vector<v1::Gaps> gaps;   // In the order of assets.assets().
  v1::Remediation remediation;  // By functional area.
  // The active risk exceptions the reader may see: "gaps with an accepted risk".
  std::vector<v1::RiskException> exceptions;
  v1::TiersAnswer tiers;  // The organisation, then each function.
};

// `postura report [--format markdown|json] [-o FILE] [--top N]`: the posture report a
// compliance team files or an auditor exports (auditor and operator tokens may make it;
// a supplier's or department officer's covers its own assets, without the organisation
// section). With `--framework F [--against G] [--asset
// A|--org] [--mapping [NAME=]FILE]...`, the crosswalk report instead
// (cli/crosswalk_command.h).
void AddReportCommand(CLI::App& app, CommandLine& line);

// The report as Markdown: headings, tables, per asset the `top` largest gaps, and the
// remediation time per functional area. Names and ids are shown through TerminalSafe
// (cli/terminal_text.h), as reports get `cat`ed.
std::string ReportMarkdown(const PostureReport& report, int top);
// The report as one JSON document: {"generatedAt", "collector", "organization" (absent
// without it), "assets", "gaps", "remediation"}, each part in the API's JSON form, through
// TerminalSafeLines (which keeps its meaning).
std::string ReportJson(const PostureReport& report);

}  // namespace postura::cli

#endif  // POSTURA_CLI_REPORT_COMMAND_H_
