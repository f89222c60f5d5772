// planner_bench: solve time of the target-state planner (issue 8) on random current
// statuses of the built-in ULEO catalog, for each implementation group and for target
// sets shaped like FLECO's published experiments. Prints p50/p99/max solve time and the
// outcomes changed per (group, target-set kind). Goal: every instance solved to proven
// optimality in under 50 ms.

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/catalog.h"
#include "common/planner.h"

namespace postura {
namespace {

enum class TargetSet { kAsset, kAssetFunction, kPlusCategories, kPlusOutcomes };

const char* TargetSetName(TargetSet kind) {
  switch (kind) {
    case TargetSet::kAsset:
      return "asset";
    case TargetSet::kAssetFunction:
      return "asset+function";
    case TargetSet::kPlusCategories:
      return "+3 categories";
    case TargetSet::kPlusOutcomes:
      return "+17 outcomes";
  }
  return "?";
}

// Outcome levels drawn uniformly: a mixed starting posture.
std::vector<Level> RandomStatus(const ScoringModel& model, std::mt19937& rng) {
  std::vector<Level> status(model.outcome_count(), Level::kDli0);
  for (int o : model.applicable_outcomes()) status[o] = kAllLevels[rng() % 4];
  return status;
}

template <typename T>
T Pick(const std::vector<T>& items, std::mt19937& rng) {
  return items[rng() % items.size()];
}

// Asset >= 0.6..0.8; a function >= 0.7..0.9; three categories >= 0.6..0.9; then
// seventeen outcomes with >= DLI_67 or = DLI_100 (FLECO's experiments use these shapes).
std::vector<Target> RandomTargets(const ScoringModel& model, TargetSet kind, std::mt19937& rng) {
  auto threshold = [&](int lo, int hi) {
    return (lo + static_cast<int>(rng() % (hi - lo + 1))) / 100.0;
  };
  std::vector<Target> targets = {
      {{ScopeKind::kAsset, 0}, TargetOperator::kGreaterOrEqual, threshold(60, 80)}};
  if (kind == TargetSet::kAsset) return targets;
  targets.push_back({{ScopeKind::kFunction, Pick(model.applicable_functions(), rng)},
                     TargetOperator::kGreaterOrEqual,
                     threshold(70, 90)});
  if (kind == TargetSet::kAssetFunction) return targets;
  std::vector<int> categories = model.applicable_categories();
  std::shuffle(categories.begin(), categories.end(), rng);
  for (int k = 0; k < 3; ++k) {
    targets.push_back({{ScopeKind::kCategory, categories[k]},
                       rng() % 2 ? TargetOperator::kGreater : TargetOperator::kGreaterOrEqual,
                       threshold(60, 90)});
  }
  if (kind == TargetSet::kPlusCategories) return targets;
  std::vector<int> outcomes = model.applicable_outcomes();
  std::shuffle(outcomes.begin(), outcomes.end(), rng);
  for (int k = 0; k < 17; ++k) {
    const bool equal = rng() % 2;
    targets.push_back({{ScopeKind::kOutcome, outcomes[k]},
                       equal ? TargetOperator::kEqual : TargetOperator::kGreaterOrEqual,
                       equal ? 1.0 : 0.67});
  }
  return targets;
}

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const std::size_t rank = static_cast<std::size_t>(p * (values.size() - 1) + 0.5);
  return values[rank];
}

struct Figures {
  std::vector<double> millis;
  std::vector<double> changed;
  int infeasible = 0;
  int failed = 0;
};

Figures Run(const Catalog& catalog, ImplementationGroup group, TargetSet kind, int instances,
            absl::Duration time_limit, std::mt19937& rng) {
  const ScoringModel& model = catalog.model(group);
  Figures figures;
  for (int i = 0; i < instances; ++i) {
    PlanRequest request;
    request.group = group;
    request.current = RandomStatus(model, rng);
    request.targets = RandomTargets(model, kind, rng);
    request.time_limit = time_limit;
    const absl::Time start = absl::Now();
    absl::StatusOr<Plan> plan = PlanTargetStatus(catalog, request);
    figures.millis.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    if (!plan.ok()) {
      ++figures.failed;
      std::fprintf(stderr, "%s %s instance %d: %s\n",
                   std::string(ImplementationGroupName(group)).c_str(), TargetSetName(kind), i,
                   std::string(plan.status().message()).c_str());
      continue;
    }
    figures.changed.push_back(plan->changed);
    figures.infeasible += !plan->feasible;
  }
  return figures;
}

}  // namespace
}  // namespace postura

int main(int argc, char** argv) {
  using namespace postura;
  CLI::App app{"Solve time of the target-state planner on random ULEO cases."};
  int instances = 200;
  unsigned seed = 1;
  app.add_option("--instances", instances, "Instances per group and target-set kind");
  app.add_option("--seed", seed, "Random seed");
  int time_limit_ms = 5000;
  app.add_option("--time-limit-ms", time_limit_ms,
                 "Planner time limit per instance; instances over it count as failed");
  CLI11_PARSE(app, argc, argv);

  const Catalog& catalog = Catalog::Builtin();
  std::mt19937 rng(seed);
  std::printf("%-4s %-15s %9s %9s %9s %13s %13s %11s %7s\n", "IG", "targets", "p50 ms", "p99 ms",
              "max ms", "changed p50", "changed max", "infeasible", "failed");
  int over_goal = 0;
  for (ImplementationGroup group : kAllImplementationGroups) {
    for (TargetSet kind : {TargetSet::kAsset, TargetSet::kAssetFunction, TargetSet::kPlusCategories,
                           TargetSet::kPlusOutcomes}) {
      Figures f = Run(catalog, group, kind, instances, absl::Milliseconds(time_limit_ms), rng);
      for (double ms : f.millis) over_goal += ms >= 50;
      const double changed_p50 = f.changed.empty() ? 0 : Percentile(f.changed, 0.5);
      const double changed_max = f.changed.empty() ? 0 : Percentile(f.changed, 1.0);
      std::printf("%-4s %-15s %9.2f %9.2f %9.2f %13.0f %13.0f %11d %7d\n",
                  std::string(ImplementationGroupName(group)).c_str(), TargetSetName(kind),
                  Percentile(f.millis, 0.5), Percentile(f.millis, 0.99), Percentile(f.millis, 1.0),
                  changed_p50, changed_max, f.infeasible, f.failed);
    }
  }
  std::printf("instances at or over 50 ms: %d of %d\n", over_goal, 12 * instances);
  return 0;
}
