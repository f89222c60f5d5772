// The crosswalk reports of `postura report --framework F [--against G]` as Markdown and
// JSON: the framework's controls with their mapped outcomes, levels, evidence and derived
// status (docs/metrics.md, "Framework crosswalks"), the controls nothing maps to, and the
// alignment of two frameworks. Called by cli/crosswalk_command.cc; pure rendering of what
// common/crosswalk computed. Threading: pure functions; any thread.
#ifndef POSTURA_CLI_CROSSWALK_TEXT_H_
#define POSTURA_CLI_CROSSWALK_TEXT_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/crosswalk/alignment.h"
#include "common/crosswalk/control_standing.h"
#include "common/crosswalk/report_json.h"
#include "common/model/catalog.h"

namespace postura::cli {

// What a crosswalk report was made from (common/crosswalk/report_json.h).
using CrosswalkHeader = crosswalk::ReportHeader;

std::string CrosswalkMarkdown(const CrosswalkHeader& header, const Catalog& catalog,
                              const crosswalk::FrameworkStanding& standing);
// crosswalk::FrameworkStandingDocument, indented, through TerminalSafeLines.
std::string CrosswalkJson(const CrosswalkHeader& header, const Catalog& catalog,
                          const crosswalk::FrameworkStanding& standing);

std::string AlignmentMarkdown(const CrosswalkHeader& header, const Catalog& catalog,
                              const crosswalk::Alignment& alignment);
// crosswalk::AlignmentDocument, indented, through TerminalSafeLines.
std::string AlignmentJson(const CrosswalkHeader& header, const Catalog& catalog,
                          const crosswalk::Alignment& alignment);

}  // namespace postura::cli

#endif  // POSTURA_CLI_CROSSWALK_TEXT_H_
