// planner_bench: solve time of the target-state planner (issue 8) on random current
// statuses of the built-in ULEO catalog, for each implementation group and for target
// sets shaped like FLECO's published experiments. Prints p50/p99/max solve time and the
// outcomes changed per (group, target-set kind). Goal: every instance solved to proven
// optimality in under 50 ms. --solver mip times the integer programs alone (the method
// before the dynamic programme); --verify also solves every instance that way and
// checks that both give the same optimum.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/model/asset_score.h"
#include "common/model/catalog.h"
#include "common/planner/planner.h"
#include "common/planner/planner_options.h"

namespace postura {
namespace {

enum class TargetSet { kAsset, kAssetFunction, kPlusCategories, kPlusOutcomes, kMixed };

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
    case TargetSet::kMixed:
      return "mixed";
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

// --mixed: one to five targets on the asset, a function and three categories, in that
// order, each with a random operator (<, <=, =, >, >=) and as threshold the value of the
// scope in another random status. Not FLECO's shapes: equalities and upper bounds, and
// often conflicting.
std::vector<Target> MixedTargets(const ScoringModel& model, std::mt19937& rng) {
  constexpr TargetOperator kOperators[] = {TargetOperator::kLess, TargetOperator::kLessOrEqual,
                                           TargetOperator::kEqual, TargetOperator::kGreater,
                                           TargetOperator::kGreaterOrEqual};
  std::vector<TargetScope> scopes = {
      {ScopeKind::kAsset, 0}, {ScopeKind::kFunction, Pick(model.applicable_functions(), rng)}};
  std::vector<int> categories = model.applicable_categories();
  std::shuffle(categories.begin(), categories.end(), rng);
  for (int k = 0; k < 3; ++k) scopes.push_back({ScopeKind::kCategory, categories[k]});
  std::vector<Target> targets;
  for (int k = 0, n = 1 + rng() % 5; k < n; ++k) {
    const std::vector<Level> other = RandomStatus(model, rng);
    const double value = ScopeValue(scopes[k], AssetScore(model, other).Values(), other);
    targets.push_back({scopes[k], kOperators[rng() % 5], value});
  }
  return targets;
}

// Asset >= 0.6..0.8; a function >= 0.7..0.9; three categories >= 0.6..0.9; then
// seventeen outcomes with >= DLI_67 or = DLI_100 (FLECO's experiments use these shapes).
std::vector<Target> RandomTargets(const ScoringModel& model, TargetSet kind, std::mt19937& rng) {
  if (kind == TargetSet::kMixed) return MixedTargets(model, rng);
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
  int by_glpk = 0;     // Instances where GLPK decided something.
  int mismatched = 0;  // --verify: optimum differs from the integer programs'.
};

struct BenchOptions {
  PlannerOptions planner;
  bool verify = false;
};

// Whether `a` and `b` are the same optimum (the statuses may differ between ties).
bool SameOptimum(const Plan& a, const Plan& b) {
  return a.feasible == b.feasible && a.changed == b.changed && a.increase == b.increase &&
         a.decrease == b.decrease && std::abs(a.coverage - b.coverage) <= 1e-7 &&
         a.conflict == b.conflict;
}

Figures Run(const Catalog& catalog, ImplementationGroup group, TargetSet kind, int instances,
            absl::Duration time_limit, const BenchOptions& options, std::mt19937& rng) {
  const ScoringModel& model = catalog.model(group);
  Figures figures;
  for (int i = 0; i < instances; ++i) {
    PlanRequest request;
    request.group = group;
    request.current = RandomStatus(model, rng);
    request.targets = RandomTargets(model, kind, rng);
    request.time_limit = time_limit;
    PlannerTrace trace;
    const absl::Time start = absl::Now();
    absl::StatusOr<Plan> plan = PlanTargetStatusWith(catalog, request, options.planner, &trace);
    figures.millis.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    figures.by_glpk += trace.integer_programs > 0;
    if (plan.ok() && options.verify) {
      PlannerOptions mip;
      mip.dynamic_programme = false;
      request.time_limit = absl::Seconds(600);
      absl::StatusOr<Plan> check = PlanTargetStatusWith(catalog, request, mip, nullptr);
      if (!check.ok() || !SameOptimum(*plan, *check)) {
        ++figures.mismatched;
        std::fprintf(stderr, "%s %s instance %d: integer programs give %s\n",
                     std::string(ImplementationGroupName(group)).c_str(), TargetSetName(kind), i,
                     check.ok() ? absl::StrFormat("(%d, %d, %d)", check->changed, check->increase,
                                                  check->decrease)
                                      .c_str()
                                : std::string(check.status().message()).c_str());
      }
    }
    if (!plan.ok()) {
      ++figures.failed;
      // Where the time went: the dynamic programme gives up within milliseconds, so a
      // time limit is spent in GLPK.
      std::fprintf(stderr,
                   "%s %s instance %d: %s (dynamic programme gave up %d of %d times; %d integer "
                   "programs)\n",
                   std::string(ImplementationGroupName(group)).c_str(), TargetSetName(kind), i,
                   std::string(plan.status().message()).c_str(), trace.dp_gave_up, trace.dp_calls,
                   trace.integer_programs);
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
  std::string solver = "auto";
  app.add_option("--solver", solver,
                 "auto: dynamic programme, GLPK where it gives up; mip: GLPK integer programs only")
      ->check(CLI::IsMember({"auto", "mip"}));
  BenchOptions options;
  app.add_flag("--verify", options.verify,
               "Also solve each instance with integer programs only and compare the optima");
  bool mixed = false;
  app.add_flag("--mixed", mixed,
               "Add rows of random operators and thresholds (not among the goal's families)");
  CLI11_PARSE(app, argc, argv);
  options.planner.dynamic_programme = solver == "auto";

  const Catalog& catalog = Catalog::Builtin();
  std::mt19937 rng(seed);
  std::printf("%-4s %-15s %9s %9s %9s %13s %13s %11s %7s %6s%s\n", "IG", "targets", "p50 ms",
              "p99 ms", "max ms", "changed p50", "changed max", "infeasible", "failed", "glpk",
              options.verify ? " mismatched" : "");
  int mismatched = 0;
  // Prints one row; returns how many of its instances took 50 ms or more.
  auto row = [&](ImplementationGroup group, TargetSet kind, std::mt19937& stream) {
    Figures f =
        Run(catalog, group, kind, instances, absl::Milliseconds(time_limit_ms), options, stream);
    mismatched += f.mismatched;
    const double changed_p50 = f.changed.empty() ? 0 : Percentile(f.changed, 0.5);
    const double changed_max = f.changed.empty() ? 0 : Percentile(f.changed, 1.0);
    std::printf("%-4s %-15s %9.2f %9.2f %9.2f %13.0f %13.0f %11d %7d %6d%s\n",
                std::string(ImplementationGroupName(group)).c_str(), TargetSetName(kind),
                Percentile(f.millis, 0.5), Percentile(f.millis, 0.99), Percentile(f.millis, 1.0),
                changed_p50, changed_max, f.infeasible, f.failed, f.by_glpk,
                options.verify ? absl::StrFormat(" %10d", f.mismatched).c_str() : "");
    return static_cast<int>(
        std::count_if(f.millis.begin(), f.millis.end(), [](double ms) { return ms >= 50; }));
  };
  int over_goal = 0;
  for (ImplementationGroup group : kAllImplementationGroups) {
    for (TargetSet kind : {TargetSet::kAsset, TargetSet::kAssetFunction, TargetSet::kPlusCategories,
                           TargetSet::kPlusOutcomes}) {
      over_goal += row(group, kind, rng);
    }
  }
  std::printf("instances at or over 50 ms: %d of %d\n", over_goal, 12 * instances);
  if (mixed) {
    // A stream of its own, so that the rows above do not depend on the flag.
    std::mt19937 mixed_rng(seed + 1);
    int over = 0;
    for (ImplementationGroup group : kAllImplementationGroups) {
      over += row(group, TargetSet::kMixed, mixed_rng);
    }
    std::printf("mixed instances at or over 50 ms: %d of %d\n", over, 3 * instances);
  }
  if (options.verify) std::printf("optima differing from GLPK's: %d\n", mismatched);
  return 0;
}
