#include "common/planner/planner_testing.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/model/asset_score.h"
#include "gtest/gtest.h"

namespace postura::test {
namespace {

constexpr char kPlanCatalog[] = R"(catalog: PLAN
version: 1
functional_areas:
  - {id: A1, name: "Area one"}
  - {id: A2, name: "Area two"}
functions:
  - {id: F1, name: "First", fleco_name: FIRST, weights: [2/3, 1/2, 2/5]}
  - {id: F2, name: "Second", fleco_name: SECOND, weights: [1/3, 1/4, 1/5]}
  - {id: F3, name: "Third", fleco_name: THIRD, weights: [0, 1/4, 2/5]}
categories:
  - {id: F1.A, function: F1, fleco_name: F1_A, name: "A", weights: [1, 2/3, 1/2]}
  - {id: F1.B, function: F1, fleco_name: F1_B, name: "B", weights: [0, 1/3, 1/2]}
  - {id: F2.A, function: F2, fleco_name: F2_A, name: "C", weights: [1, 1, 1]}
  - {id: F3.A, function: F3, fleco_name: F3_A, name: "D", weights: [0, 1, 1]}
outcomes:
  - {id: O1, code: C-1, category: F1.A, min_ig: 1, weights: [1/3, 1/4, 1/5], area: A1, source: "s", title: "one"}
  - {id: O2, code: C-2, category: F1.A, min_ig: 1, weights: [2/3, 1/2, 2/5], area: A2, source: "s", title: "two"}
  - {id: O3, code: C-3, category: F1.A, min_ig: 2, weights: [0, 1/4, 2/5], area: A1, source: "s", title: "three"}
  - {id: O5, code: C-5, category: F1.B, min_ig: 2, weights: [0, 1, 1/2], area: A2, source: "s", title: "five"}
  - {id: O6, code: C-6, category: F1.B, min_ig: 3, weights: [0, 0, 1/2], area: A1, source: "s", title: "six"}
  - {id: O7, code: C-7, category: F2.A, min_ig: 1, weights: [1/2, 3/7, 1/3], area: A2, source: "s", title: "seven"}
  - {id: O8, code: C-8, category: F2.A, min_ig: 1, weights: [1/2, 4/7, 2/3], area: A1, source: "s", title: "eight"}
  - {id: O10, code: C-10, category: F3.A, min_ig: 2, weights: [0, 1, 1], area: A2, source: "s", title: "ten"}
)";

// Calls `visit` with every status that keeps the locked outcomes at their levels.
void ForEachStatus(const ScoringModel& model, const PlanRequest& request,
                   const std::function<void(const std::vector<Level>&)>& visit) {
  std::vector<int> free;
  for (int o : model.applicable_outcomes()) {
    if (std::find(request.locked.begin(), request.locked.end(), o) == request.locked.end()) {
      free.push_back(o);
    }
  }
  std::vector<Level> status = request.current;
  for (int64_t code = 0; code < (int64_t{1} << (2 * free.size())); ++code) {
    for (std::size_t k = 0; k < free.size(); ++k) {
      status[free[k]] = static_cast<Level>((code >> (2 * k)) & 3);
    }
    visit(status);
  }
}

// The optimum by exhaustive search, in the planner's terms (see Plan).
struct Exhaustive {
  bool feasible = false;
  double best_coverage = 0;
  Cost best;
};

Exhaustive SearchExhaustively(const ScoringModel& model, const PlanRequest& request) {
  Exhaustive result;
  ForEachStatus(model, request, [&](const std::vector<Level>& status) {
    const TargetsReport report = Evaluate(model, request.targets, status);
    result.feasible = result.feasible || report.all_met;
    result.best_coverage = std::max(result.best_coverage, report.coverage);
  });
  bool first = true;
  ForEachStatus(model, request, [&](const std::vector<Level>& status) {
    const TargetsReport report = Evaluate(model, request.targets, status);
    const bool eligible =
        result.feasible ? report.all_met : report.coverage >= result.best_coverage - 1e-7;
    if (!eligible) return;
    const Cost cost = CostOf(model, request, status);
    if (first || cost < result.best) result.best = cost;
    first = false;
  });
  return result;
}

// Whether some status (keeping the locks) meets every target in `subset`.
bool AnyStatusMeets(const ScoringModel& model, const PlanRequest& request,
                    const std::vector<int>& subset) {
  std::vector<Target> targets;
  for (int i : subset) targets.push_back(request.targets[i]);
  bool met = false;
  ForEachStatus(model, request, [&](const std::vector<Level>& status) {
    met = met || Evaluate(model, targets, status).all_met;
  });
  return met;
}

constexpr TargetOperator kOperators[] = {TargetOperator::kLess, TargetOperator::kLessOrEqual,
                                         TargetOperator::kEqual, TargetOperator::kGreater,
                                         TargetOperator::kGreaterOrEqual};

}  // namespace

const Catalog& PlanCatalog() {
  static const Catalog* catalog = new Catalog(*Catalog::FromYaml(kPlanCatalog, "plan.yaml"));
  return *catalog;
}

Cost CostOf(const ScoringModel& model, const PlanRequest& request,
            const std::vector<Level>& status) {
  Cost cost;
  for (int o : model.applicable_outcomes()) {
    const int delta = LevelHundredths(status[o]) - LevelHundredths(request.current[o]);
    const int64_t effort = request.effort.empty() ? 1 : request.effort[o];
    cost.changed += delta != 0;
    if (delta > 0) cost.increase += effort * delta;
    if (delta < 0) cost.decrease -= delta;
  }
  return cost;
}

TargetsReport Evaluate(const ScoringModel& model, absl::Span<const Target> targets,
                       const std::vector<Level>& status) {
  return EvaluateTargets(targets, AssetScore(model, status).Values(), status);
}

bool ExpectOptimal(const Catalog& catalog, const PlanRequest& request, const Plan& plan) {
  const ScoringModel& model = catalog.model(request.group);
  const Exhaustive expected = SearchExhaustively(model, request);
  EXPECT_EQ(plan.feasible, expected.feasible);
  const TargetsReport report = Evaluate(model, request.targets, plan.target_status);
  EXPECT_EQ(report.all_met, plan.feasible);
  EXPECT_DOUBLE_EQ(plan.coverage, report.coverage);
  EXPECT_NEAR(plan.coverage, expected.best_coverage, 1e-7);
  const Cost cost = CostOf(model, request, plan.target_status);
  EXPECT_EQ(cost, expected.best) << "plan (" << cost.changed << ", " << cost.increase << ", "
                                 << cost.decrease << ") optimum (" << expected.best.changed << ", "
                                 << expected.best.increase << ", " << expected.best.decrease << ")";
  EXPECT_EQ((Cost{plan.changed, plan.increase, plan.decrease}), cost);
  for (int o : request.locked) EXPECT_EQ(plan.target_status[o], request.current[o]);
  if (!plan.feasible) {
    EXPECT_FALSE(plan.conflict.empty());
    EXPECT_FALSE(AnyStatusMeets(model, request, plan.conflict));
    for (std::size_t k = 0; k < plan.conflict.size(); ++k) {
      std::vector<int> rest = plan.conflict;
      rest.erase(rest.begin() + k);
      EXPECT_TRUE(AnyStatusMeets(model, request, rest)) << "conflict is not irreducible";
    }
  } else {
    EXPECT_TRUE(plan.conflict.empty());
  }
  return plan.feasible;
}

std::vector<Level> RandomStatus(const ScoringModel& model, std::mt19937& rng) {
  std::vector<Level> status(model.outcome_count(), Level::kDli0);
  for (int o : model.applicable_outcomes()) status[o] = kAllLevels[rng() % 4];
  return status;
}

std::vector<Target> RandomTargets(const ScoringModel& model, const std::vector<int>& outcomes,
                                  int count, std::mt19937& rng) {
  std::vector<TargetScope> scopes = {{ScopeKind::kAsset, 0}};
  for (int o : outcomes) {
    for (TargetScope scope : {TargetScope{ScopeKind::kOutcome, o},
                              TargetScope{ScopeKind::kCategory, model.category_of(o)},
                              TargetScope{ScopeKind::kFunction, model.function_of(o)}}) {
      if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) scopes.push_back(scope);
    }
  }
  std::shuffle(scopes.begin(), scopes.end(), rng);
  std::vector<Target> targets;
  for (int k = 0; k < count && k < static_cast<int>(scopes.size()); ++k) {
    Target target{scopes[k], kOperators[rng() % 5], 0};
    const int kind = rng() % 4;
    if (kind < 2) {
      std::vector<Level> status = RandomStatus(model, rng);
      target.threshold = ScopeValue(scopes[k], AssetScore(model, status).Values(), status);
    } else if (kind == 2) {
      target.threshold = (rng() % 101) / 100.0;
    } else {
      target.threshold = std::uniform_real_distribution<double>(0, 1)(rng);
    }
    targets.push_back(target);
  }
  return targets;
}

std::string DebugString(const Catalog& catalog, const PlanRequest& request) {
  std::string text = "\nstatus:";
  for (int o : catalog.model(request.group).applicable_outcomes()) {
    absl::StrAppend(&text, " ", catalog.outcomes()[o].id, "=", LevelName(request.current[o]));
  }
  for (const Target& t : request.targets) {
    absl::StrAppend(&text, "\ntarget ", ScopeId(catalog, t.scope), " ", TargetOperatorName(t.op),
                    " ", absl::StrFormat("%.17g", t.threshold));
  }
  for (int o : request.locked) absl::StrAppend(&text, "\nlocked ", catalog.outcomes()[o].id);
  return text;
}

}  // namespace postura::test
