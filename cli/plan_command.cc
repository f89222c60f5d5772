#include "cli/plan_command.h"

#include <ostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "cli/output_file.h"
#include "cli/score_report.h"
#include "common/fleco/fleco_case.h"
#include "common/planner/planner.h"

namespace postura::cli {
namespace {

// Resolves --lock gene ids to catalog positions.
absl::Status ParseLocks(const Catalog& catalog, const FlecoPlanOptions& options,
                        std::vector<int>& locked) {
  for (const std::string& id : options.locked) {
    std::optional<int> o = catalog.FindOutcome(id);
    if (!o) return absl::InvalidArgumentError(absl::StrCat("--lock: unknown gene '", id, "'"));
    locked.push_back(*o);
  }
  return absl::OkStatus();
}

// Resolves --effort ID=N options into one effort per catalog outcome.
absl::StatusOr<std::vector<int64_t>> ParseEfforts(const Catalog& catalog,
                                                  const FlecoPlanOptions& options) {
  std::vector<int64_t> by_area(catalog.functional_areas().size(), 1);
  std::vector<std::pair<int, int64_t>> by_outcome;
  for (const std::string& option : options.efforts) {
    std::vector<std::string> parts = absl::StrSplit(option, absl::MaxSplits('=', 1));
    int64_t effort = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &effort) || effort < 1 ||
        effort > kMaxOutcomeEffort) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--effort '", option, "': expected ID=N with N from 1 to ", kMaxOutcomeEffort));
    }
    const std::vector<FunctionalArea>& areas = catalog.functional_areas();
    auto area = std::find_if(areas.begin(), areas.end(),
                             [&](const FunctionalArea& a) { return a.id == parts[0]; });
    if (area != areas.end()) {
      by_area[area - areas.begin()] = effort;
    } else if (std::optional<int> o = catalog.FindOutcome(parts[0]); o) {
      by_outcome.emplace_back(*o, effort);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("--effort '", option, "': '", parts[0],
                                                     "' is neither a functional area nor a gene"));
    }
  }
  absl::StatusOr<std::vector<int64_t>> effort = EffortByFunctionalArea(catalog, by_area);
  if (!effort.ok()) return effort.status();
  for (const auto& [o, e] : by_outcome) (*effort)[o] = e;
  return effort;
}

std::string TargetText(const Catalog& catalog, const Target& target) {
  return absl::StrFormat("%s %s %s %.4f", ScopeKindName(target.scope.kind),
                         ScopeId(catalog, target.scope), TargetOperatorSymbol(target.op),
                         target.threshold);
}

std::string Summary(const Catalog& catalog, const FlecoCase& fleco_case, const Plan& plan) {
  std::string text;
  if (plan.feasible) {
    absl::StrAppendFormat(&text, "Plan: all %d targets met by changing %d outcomes",
                          fleco_case.targets.size(), plan.changed);
  } else {
    text =
        "Plan: the targets cannot all be met. These conflict (drop any one and the rest can "
        "be met):\n";
    for (int i : plan.conflict) {
      absl::StrAppend(&text, "  ", TargetText(catalog, fleco_case.targets[i]), "\n");
    }
    absl::StrAppendFormat(&text, "Best coverage %.4f, by changing %d outcomes", plan.coverage,
                          plan.changed);
  }
  absl::StrAppendFormat(&text, " (effort-weighted increase %.2f, decrease %.2f levels)\n",
                        plan.increase / 100.0, plan.decrease / 100.0);
  return text;
}

// The changes, grouped by the outcomes' leading functional area in catalog order.
std::string ActionsText(const Catalog& catalog, const FlecoCase& fleco_case, const Plan& plan) {
  std::string text;
  for (std::size_t a = 0; a < catalog.functional_areas().size(); ++a) {
    std::string rows;
    for (int o : catalog.model(fleco_case.group).applicable_outcomes()) {
      const CatalogOutcome& outcome = catalog.outcomes()[o];
      const Level from = fleco_case.initial_status[o], to = plan.target_status[o];
      if (outcome.functional_area != static_cast<int>(a) || from == to) continue;
      absl::StrAppendFormat(&rows, "    %-5s %-18s %-7s -> %-7s  %s\n",
                            LevelHundredths(to) > LevelHundredths(from) ? "raise" : "lower",
                            outcome.id, LevelName(from), LevelName(to), outcome.title);
    }
    if (rows.empty()) continue;
    const FunctionalArea& area = catalog.functional_areas()[a];
    absl::StrAppend(&text, "  ", area.id, "  ", area.name, "\n", rows);
  }
  return text.empty() ? "  No changes.\n" : text;
}

// Asset and function values, then the targets' values, before and after.
std::string ValuesText(const Catalog& catalog, const StatusScore& before,
                       const StatusScore& after) {
  std::string text = absl::StrFormat("  %-30s %7s %7s\n", "", "before", "after");
  absl::StrAppendFormat(&text, "  %-30s %7.4f %7.4f\n", "Asset", before.values.asset,
                        after.values.asset);
  for (int f : catalog.model(before.group).applicable_functions()) {
    const CatalogFunction& function = catalog.functions()[f];
    absl::StrAppendFormat(&text, "  %-30s %7.4f %7.4f\n",
                          absl::StrCat(function.id, "  ", function.name),
                          before.values.functions[f], after.values.functions[f]);
  }
  for (std::size_t i = 0; i < before.targets.size(); ++i) {
    const TargetResult& b = before.report.results[i];
    const TargetResult& a = after.report.results[i];
    absl::StrAppendFormat(&text, "  %-30s %7.4f %7.4f  %s -> %s\n",
                          TargetText(catalog, before.targets[i]), b.value, a.value,
                          b.met ? "met" : "NOT MET", a.met ? "met" : "NOT MET");
  }
  absl::StrAppendFormat(&text, "  %-30s %7.4f %7.4f\n", "Coverage", before.report.coverage,
                        after.report.coverage);
  return text;
}

nlohmann::ordered_json PlanJson(const Catalog& catalog, const FlecoCase& fleco_case,
                                const Plan& plan, const StatusScore& before,
                                const StatusScore& after, const std::string& written) {
  nlohmann::ordered_json json;
  json["all_targets_met"] = plan.feasible;
  json["changed"] = plan.changed;
  json["increase"] = plan.increase / 100.0;
  json["decrease"] = plan.decrease / 100.0;
  json["conflict"] = nlohmann::ordered_json::array();
  for (int i : plan.conflict) {
    const Target& target = fleco_case.targets[i];
    json["conflict"].push_back({{"scope", std::string(ScopeKindName(target.scope.kind))},
                                {"id", ScopeId(catalog, target.scope)},
                                {"operator", std::string(TargetOperatorName(target.op))},
                                {"threshold", target.threshold}});
  }
  json["actions"] = nlohmann::ordered_json::array();
  for (int o : catalog.model(fleco_case.group).applicable_outcomes()) {
    const Level from = fleco_case.initial_status[o], to = plan.target_status[o];
    if (from == to) continue;
    const CatalogOutcome& outcome = catalog.outcomes()[o];
    json["actions"].push_back(
        {{"gene", outcome.id},
         {"functional_area", catalog.functional_areas()[outcome.functional_area].id},
         {"from", std::string(LevelName(from))},
         {"to", std::string(LevelName(to))}});
  }
  json["before"] = ScoreJson(catalog, before);
  json["after"] = ScoreJson(catalog, after);
  json["written"] = written.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(written);
  return json;
}

absl::Status WriteCase(const Catalog& catalog, FlecoCase fleco_case, const Plan& plan,
                       const std::string& path) {
  fleco_case.target_status = plan.target_status;
  return WriteOutputFile(path, WriteFlecoCase(catalog, fleco_case));
}

}  // namespace

int RunFlecoPlan(const Catalog& catalog, const FlecoPlanOptions& options, std::ostream& out,
                 std::ostream& err) {
  absl::StatusOr<FlecoCase> fleco_case = ReadFlecoCaseFile(catalog, options.case_path);
  if (!fleco_case.ok()) {
    err << "postura: " << fleco_case.status().message() << "\n";
    return kExitBadInput;
  }
  PlanRequest request;
  request.group = fleco_case->group;
  request.current = fleco_case->initial_status;
  request.targets = fleco_case->targets;
  absl::StatusOr<std::vector<int64_t>> effort = ParseEfforts(catalog, options);
  absl::Status locks = ParseLocks(catalog, options, request.locked);
  for (const absl::Status& s : {effort.status(), locks}) {
    if (!s.ok()) {
      err << "postura: " << s.message() << "\n";
      return kExitBadInput;
    }
  }
  request.effort = *std::move(effort);
  absl::StatusOr<Plan> plan = PlanTargetStatus(catalog, request);
  if (!plan.ok()) {
    err << "postura: " << options.case_path << ": " << plan.status().message() << "\n";
    return kExitBadInput;
  }
  if (!options.output_path.empty()) {
    if (absl::Status s = WriteCase(catalog, *fleco_case, *plan, options.output_path); !s.ok()) {
      err << "postura: " << s.message() << "\n";
      return kExitBadInput;
    }
  }

  const StatusScore before = ScoreStatus(catalog, request.group, request.current, request.targets);
  const StatusScore after =
      ScoreStatus(catalog, request.group, plan->target_status, request.targets);
  if (options.format == OutputFormat::kJson) {
    out << PlanJson(catalog, *fleco_case, *plan, before, after, options.output_path).dump(2)
        << "\n";
  } else {
    out << options.case_path << ": " << ImplementationGroupName(request.group) << " asset, "
        << catalog.model(request.group).applicable_outcomes().size() << " outcomes, "
        << request.targets.size() << " strategic targets\n"
        << Summary(catalog, *fleco_case, *plan) << "\nChanges by leading functional area\n"
        << ActionsText(catalog, *fleco_case, *plan) << "\n"
        << ValuesText(catalog, before, after);
    if (!options.output_path.empty()) out << "\nWrote " << options.output_path << "\n";
  }
  return plan->feasible ? kExitOk : kExitTargetsConflict;
}

}  // namespace postura::cli
