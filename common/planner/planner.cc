#include "common/planner/planner.h"

#include <cmath>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/model/asset_score.h"
#include "common/planner/planner_dp.h"
#include "common/planner/planner_ip.h"
#include "common/planner/planner_options.h"
#include "common/planner/planner_problem.h"

namespace postura {
namespace {

using planner_internal::AllTargets;
using planner_internal::CheckRequest;
using planner_internal::Direction;
using planner_internal::Hundredths;
using planner_internal::LinearExpr;
using planner_internal::Mode;
using planner_internal::Problem;
using planner_internal::Program;
using planner_internal::ToDpProblem;

// Runs the dynamic programme on `targets` as hard constraints; nullopt if it gave up.
absl::StatusOr<std::optional<DpResult>> SolveHardByDp(const Problem& problem,
                                                      const std::vector<int>& targets,
                                                      bool feasibility_only) {
  if (!problem.options.dynamic_programme) return std::nullopt;
  const DpProblem dp = ToDpProblem(problem, targets);
  DpOptions options;
  options.work_limit = problem.options.dp_work_limit;
  options.feasibility_only = feasibility_only;
  options.deadline = problem.deadline;
  absl::StatusOr<DpResult> result = SolveByDp(dp, options);
  if (!result.ok()) return result.status();
  ++problem.trace->dp_calls;
  problem.trace->dp_work += result->work;
  if (result->verdict == DpVerdict::kGaveUp) {
    ++problem.trace->dp_gave_up;
    return std::nullopt;
  }
  return *std::move(result);
}

// Whether some status meets every target in `targets` (and keeps the locks).
absl::StatusOr<bool> Achievable(const Problem& problem, const std::vector<int>& targets) {
  absl::StatusOr<std::optional<DpResult>> dp = SolveHardByDp(problem, targets, true);
  if (!dp.ok()) return dp.status();
  if (dp->has_value()) return (*dp)->verdict == DpVerdict::kOptimal;
  Program program(problem, targets, Mode::kHard);
  absl::StatusOr<std::optional<double>> found =
      program.Optimize(LinearExpr(), Direction::kMinimize);
  if (!found.ok()) return found.status();
  return found->has_value();
}

// A deletion filter: drops each target in turn and keeps it out while the rest still
// cannot be met. What remains cannot be met, and dropping any one target of it would
// make it achievable (an irreducible infeasible subset).
absl::StatusOr<std::vector<int>> FindConflict(const Problem& problem) {
  std::vector<int> conflict = AllTargets(problem);
  for (int i : AllTargets(problem)) {
    std::vector<int> rest;
    for (int k : conflict) {
      if (k != i) rest.push_back(k);
    }
    absl::StatusOr<bool> achievable = Achievable(problem, rest);
    if (!achievable.ok()) return achievable.status();
    if (!*achievable) conflict = std::move(rest);
  }
  return conflict;
}

// Solves the stages changes, increase, decrease in turn, each bounded by the optimum of
// the ones before. All three objectives are integers, so "bounded by the optimum" is the
// exact row obj <= optimum (GLPK rounds nothing here: the optimum is an integer).
absl::StatusOr<bool> SolveLexicographic(Program& program) {
  for (const LinearExpr& objective : {program.Changes(), program.Increase(), program.Decrease()}) {
    absl::StatusOr<std::optional<double>> best = program.Optimize(objective, Direction::kMinimize);
    if (!best.ok()) return best.status();
    if (!best->has_value()) return false;
    program.Constrain(objective, -HUGE_VAL, std::round(**best));
  }
  return true;
}

// Fills in the counts and coverage of `plan` from its status, checking the status against
// the exact scorer.
absl::Status Finish(const Problem& problem, Plan& plan) {
  const ScoringModel& model = *problem.model;
  for (int o : model.applicable_outcomes()) {
    const int delta = LevelHundredths(plan.target_status[o]) - Hundredths(problem, o);
    if (delta == 0) continue;
    if (problem.locked[o]) {
      return absl::InternalError(
          absl::StrCat("planner changed locked outcome ", problem.catalog->outcomes()[o].id));
    }
    ++plan.changed;
    if (delta > 0) plan.increase += problem.effort[o] * delta;
    if (delta < 0) plan.decrease -= delta;
  }
  const AssetValues values = AssetScore(model, plan.target_status).Values();
  const TargetsReport report =
      EvaluateTargets(problem.request->targets, values, plan.target_status);
  plan.coverage = report.coverage;
  if (plan.feasible && !report.all_met) {
    return absl::InternalError("planned status does not meet every target when re-scored");
  }
  return absl::OkStatus();
}

// The infeasible case: the conflict, and the best-coverage status.
absl::Status PlanBestCoverage(const Problem& problem, Plan& plan) {
  absl::StatusOr<std::vector<int>> conflict = FindConflict(problem);
  if (!conflict.ok()) return conflict.status();
  plan.conflict = *std::move(conflict);
  Program program(problem, AllTargets(problem), Mode::kSoft);
  absl::StatusOr<std::optional<double>> best =
      program.Optimize(program.credit(), Direction::kMaximize);
  if (!best.ok()) return best.status();
  if (!best->has_value()) return absl::InternalError("coverage program has no solution");
  // Credits are not integers: keep the best coverage to within solver tolerance.
  program.Constrain(program.credit(), **best - 1e-7, HUGE_VAL);
  absl::StatusOr<bool> solved = SolveLexicographic(program);
  if (!solved.ok()) return solved.status();
  if (!*solved) return absl::InternalError("coverage program lost its solution");
  absl::StatusOr<std::vector<Level>> status = program.Status();
  if (!status.ok()) return status.status();
  plan.target_status = *std::move(status);
  return absl::OkStatus();
}

// The feasible case's optimum into `plan`, or plan.feasible = false.
absl::Status PlanFeasible(const Problem& problem, Plan& plan) {
  absl::StatusOr<std::optional<DpResult>> dp = SolveHardByDp(problem, AllTargets(problem), false);
  if (!dp.ok()) return dp.status();
  if (dp->has_value()) {
    plan.feasible = (*dp)->verdict == DpVerdict::kOptimal;
    if (plan.feasible) plan.target_status = std::move((*dp)->status);
    return absl::OkStatus();
  }
  Program program(problem, AllTargets(problem), Mode::kHard);
  absl::StatusOr<bool> solved = SolveLexicographic(program);
  if (!solved.ok()) return solved.status();
  plan.feasible = *solved;
  if (!plan.feasible) return absl::OkStatus();
  absl::StatusOr<std::vector<Level>> status = program.Status();
  if (!status.ok()) return status.status();
  plan.target_status = *std::move(status);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Plan> PlanTargetStatusWith(const Catalog& catalog, const PlanRequest& request,
                                          const PlannerOptions& options, PlannerTrace* trace) {
  PlannerTrace ignored;
  absl::StatusOr<Problem> problem =
      CheckRequest(catalog, request, options, trace != nullptr ? trace : &ignored);
  if (!problem.ok()) return problem.status();
  Plan plan;
  if (absl::Status s = PlanFeasible(*problem, plan); !s.ok()) return s;
  if (!plan.feasible) {
    if (absl::Status s = PlanBestCoverage(*problem, plan); !s.ok()) return s;
  }
  if (absl::Status s = Finish(*problem, plan); !s.ok()) return s;
  return plan;
}

absl::StatusOr<Plan> PlanTargetStatus(const Catalog& catalog, const PlanRequest& request) {
  return PlanTargetStatusWith(catalog, request, PlannerOptions(), nullptr);
}

absl::StatusOr<std::vector<int64_t>> EffortByFunctionalArea(const Catalog& catalog,
                                                            absl::Span<const int64_t> area_effort) {
  if (area_effort.size() != catalog.functional_areas().size()) {
    return absl::InvalidArgumentError(absl::StrCat("got ", area_effort.size(),
                                                   " area efforts; the catalog has ",
                                                   catalog.functional_areas().size(), " areas"));
  }
  for (std::size_t a = 0; a < area_effort.size(); ++a) {
    if (area_effort[a] < 1 || area_effort[a] > kMaxOutcomeEffort) {
      return absl::InvalidArgumentError(absl::StrCat("effort of ", catalog.functional_areas()[a].id,
                                                     " is ", area_effort[a], "; allowed: 1 to ",
                                                     kMaxOutcomeEffort));
    }
  }
  std::vector<int64_t> effort;
  for (const CatalogOutcome& outcome : catalog.outcomes()) {
    effort.push_back(area_effort[outcome.functional_area]);
  }
  return effort;
}

}  // namespace postura
