#include "cli/fleco_command.h"

#include <ostream>

#include "absl/strings/str_cat.h"
#include "cli/score_report.h"
#include "common/fleco/fleco_case.h"

namespace postura::cli {

int RunFlecoScore(const Catalog& catalog, const FlecoScoreOptions& options, std::ostream& out,
                  std::ostream& err) {
  absl::StatusOr<FlecoCase> fleco_case = ReadFlecoCaseFile(catalog, options.case_path);
  if (!fleco_case.ok()) {
    err << "postura: " << fleco_case.status().message() << "\n";
    return kExitBadInput;
  }
  const StatusScore initial =
      ScoreStatus(catalog, fleco_case->group, fleco_case->initial_status, fleco_case->targets);
  std::optional<StatusScore> target;
  if (fleco_case->target_status) {
    target =
        ScoreStatus(catalog, fleco_case->group, *fleco_case->target_status, fleco_case->targets);
  }

  if (options.format == OutputFormat::kJson) {
    nlohmann::ordered_json json = ScoreJson(catalog, initial);
    if (target) {
      json["target_status"] = ScoreJson(catalog, *target);
    }
    out << json.dump(2) << "\n";
    return kExitOk;
  }
  const ImplementationGroup group = fleco_case->group;
  out << options.case_path << ": " << ImplementationGroupName(group) << " asset, "
      << catalog.model(group).applicable_outcomes().size() << " outcomes, "
      << fleco_case->targets.size() << " strategic targets\n\n"
      << "Initial status\n"
      << ScoreText(catalog, initial);
  if (target) out << "\nTarget status\n" << ScoreText(catalog, *target);
  return kExitOk;
}

}  // namespace postura::cli
