#ifndef POSTURA_CLI_PLAN_COMMAND_H_
#define POSTURA_CLI_PLAN_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/fleco_command.h"
#include "common/model/catalog.h"

namespace postura::cli {

// The plan was made but its targets cannot all be met: the conflicting targets are on
// stdout, and the status written has the best coverage instead.
inline constexpr int kExitTargetsConflict = 3;

struct FlecoPlanOptions {
  std::string case_path;
  std::string output_path;  // Where to write the planned case; empty: write nothing.
  OutputFormat format = OutputFormat::kText;
  std::vector<std::string> locked;  // Gene ids that must keep their level.
  // "ID=N": relative effort N of raising the outcomes of functional area ID ("FA3"), or
  // of the one outcome ID (a gene id). Outcome efforts override area efforts; default 1.
  std::vector<std::string> efforts;
};

// `postura fleco plan CASE.json`: plans a target status for the case (PlanTargetStatus),
// writes the case with it as targetStatus to options.output_path when given, and prints
// the changes grouped by leading functional area with the asset, function and target
// values before and after. Returns kExitOk when every target is met,
// kExitTargetsConflict when they cannot all be, and kExitBadInput (message on `err`
// naming the file, field or option) for an invalid case, option or unwritable output.
int RunFlecoPlan(const Catalog& catalog, const FlecoPlanOptions& options, std::ostream& out,
                 std::ostream& err);

}  // namespace postura::cli

#endif  // POSTURA_CLI_PLAN_COMMAND_H_
