#ifndef POSTURA_CLI_PLAN_TEXT_H_
#define POSTURA_CLI_PLAN_TEXT_H_

#include <string>

#include "common/model/catalog.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

// A plan from the collector (QueryService.PlanAsset) for people: whether it meets every
// target (or which targets conflict), the changes grouped by leading functional area (its
// name from `catalog`), then the asset value, each target and the target coverage before
// and after.
std::string AssetPlanText(const Catalog& catalog, const v1::AssetPlan& plan);

}  // namespace postura::cli

#endif  // POSTURA_CLI_PLAN_TEXT_H_
