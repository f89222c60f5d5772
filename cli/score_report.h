#ifndef POSTURA_CLI_SCORE_REPORT_H_
#define POSTURA_CLI_SCORE_REPORT_H_

#include <string>
#include <vector>

#include "common/model/asset_values.h"
#include "common/model/catalog.h"
#include "common/model/level.h"
#include "common/model/target.h"
#include "nlohmann/json.hpp"

namespace postura::cli {

// The scores of one status (a set of outcome levels) of an asset, with its targets
// evaluated on it.
struct StatusScore {
  ImplementationGroup group = ImplementationGroup::kIG1;
  std::vector<Level> levels;  // By catalog outcome position.
  AssetValues values;
  std::vector<Target> targets;
  TargetsReport report;
};

// Scores `levels` for an asset of `group` and evaluates `targets` on them.
// REQUIRES: levels.size() equals the catalog's outcome count; targets valid for `group`.
StatusScore ScoreStatus(const Catalog& catalog, ImplementationGroup group,
                        std::vector<Level> levels, std::vector<Target> targets);

// {"implementation_group", "asset", "functions" (by function id), "categories" (by
// category id), "targets" (scope, id, operator, threshold, value, met, credit),
// "coverage", "all_targets_met"}; only items that apply to the group appear.
nlohmann::ordered_json ScoreJson(const Catalog& catalog, const StatusScore& score);

// A table for people: asset, functions and their categories with values and bars, then
// the targets with their value, status and credit, and the coverage.
std::string ScoreText(const Catalog& catalog, const StatusScore& score);

}  // namespace postura::cli

#endif  // POSTURA_CLI_SCORE_REPORT_H_
