#include "common/planner/planner_problem.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace postura::planner_internal {
namespace {

// Exactly the comparison EvaluateTarget makes on the value AssetScore reports.
bool HoldsAt(const Target& target, int64_t sum, int64_t scale) {
  const double value = static_cast<double>(sum) / static_cast<double>(scale);
  return EvaluateTarget(target.op, target.threshold, value).met;
}

}  // namespace

absl::StatusOr<Problem> CheckRequest(const Catalog& catalog, const PlanRequest& request,
                                     const PlannerOptions& options, PlannerTrace* trace) {
  Problem problem;
  problem.options = options;
  problem.trace = trace;
  problem.catalog = &catalog;
  problem.model = &catalog.model(request.group);
  problem.request = &request;
  const int n = problem.model->outcome_count();
  if (static_cast<int>(request.current.size()) != n) {
    return absl::InvalidArgumentError(absl::StrCat("current status has ", request.current.size(),
                                                   " levels; the catalog has ", n, " outcomes"));
  }
  if (absl::Status s = ValidateTargets(catalog, request.group, request.targets); !s.ok()) return s;
  problem.locked.assign(n, false);
  for (int o : request.locked) {
    if (o < 0 || o >= n || !problem.model->OutcomeApplies(o)) {
      return absl::InvalidArgumentError(absl::StrCat("locked outcome at position ", o,
                                                     " does not apply to ",
                                                     ImplementationGroupName(request.group)));
    }
    problem.locked[o] = true;
  }
  problem.effort = request.effort.empty() ? std::vector<int64_t>(n, 1) : request.effort;
  if (static_cast<int>(problem.effort.size()) != n) {
    return absl::InvalidArgumentError(absl::StrCat("effort has ", problem.effort.size(),
                                                   " entries; the catalog has ", n, " outcomes"));
  }
  for (int o : problem.model->applicable_outcomes()) {
    if (problem.effort[o] < 1 || problem.effort[o] > kMaxOutcomeEffort) {
      return absl::InvalidArgumentError(absl::StrCat("effort of ", catalog.outcomes()[o].id, " is ",
                                                     problem.effort[o], "; allowed: 1 to ",
                                                     kMaxOutcomeEffort));
    }
  }
  problem.deadline = absl::Now() + request.time_limit;
  return problem;
}

int Hundredths(const Problem& problem, int outcome) {
  return LevelHundredths(problem.request->current[outcome]);
}

std::vector<Level> AllowedLevels(const Problem& problem, const std::vector<int>& targets, Mode mode,
                                 int outcome) {
  std::vector<Level> candidates(kAllLevels.begin(), kAllLevels.end());
  if (problem.locked[outcome]) candidates = {problem.request->current[outcome]};
  std::vector<Level> levels;
  for (Level level : candidates) {
    bool allowed = true;
    for (int i : targets) {
      const Target& t = problem.request->targets[i];
      if (mode == Mode::kHard && t.scope.kind == ScopeKind::kOutcome && t.scope.index == outcome) {
        allowed = EvaluateTarget(t.op, t.threshold, LevelValue(level)).met;
      }
    }
    if (allowed) levels.push_back(level);
  }
  return levels;
}

std::vector<int> AllTargets(const Problem& problem) {
  std::vector<int> all(problem.request->targets.size());
  std::iota(all.begin(), all.end(), 0);
  return all;
}

SumRange MetRange(const Target& target, int64_t scale) {
  const int64_t guess =
      std::clamp<int64_t>(std::llround(target.threshold * static_cast<double>(scale)), 0, scale);
  auto holds = [&](int64_t s) { return HoldsAt(target, s, scale); };
  SumRange range;
  switch (target.op) {
    case TargetOperator::kGreater:
    case TargetOperator::kGreaterOrEqual: {
      int64_t s = guess;
      while (s > 0 && holds(s - 1)) --s;
      while (s <= scale && !holds(s)) ++s;
      return {s, scale};
    }
    case TargetOperator::kLess:
    case TargetOperator::kLessOrEqual: {
      int64_t s = guess;
      while (s < scale && holds(s + 1)) ++s;
      while (s >= 0 && !holds(s)) --s;
      return {0, s};
    }
    case TargetOperator::kEqual:
      for (int64_t s = std::max<int64_t>(guess - 1, 0); s <= std::min(guess + 1, scale); ++s) {
        if (holds(s)) return {s, s};
      }
      return range;
  }
  return range;
}

DpProblem ToDpProblem(const Problem& problem, const std::vector<int>& targets) {
  const ScoringModel& model = *problem.model;
  DpProblem dp;
  dp.model = &model;
  dp.current = problem.request->current;
  dp.effort = problem.effort;
  dp.allowed.assign(model.outcome_count(), 0);
  for (int o : model.applicable_outcomes()) {
    for (Level level : AllowedLevels(problem, targets, Mode::kHard, o)) {
      dp.allowed[o] |= 1 << static_cast<int>(level);
    }
  }
  dp.category_range.resize(model.category_count());
  dp.function_range.resize(model.function_count());
  for (int i : targets) {
    const Target& target = problem.request->targets[i];
    const int index = target.scope.index;
    switch (target.scope.kind) {
      case ScopeKind::kOutcome:
        break;
      case ScopeKind::kCategory:
        dp.category_range[index] = MetRange(target, model.category_scale(index));
        break;
      case ScopeKind::kFunction:
        dp.function_range[index] = MetRange(target, model.function_scale(index));
        break;
      case ScopeKind::kAsset:
        dp.asset_range = MetRange(target, model.asset_scale());
        break;
    }
  }
  return dp;
}

}  // namespace postura::planner_internal
