#include "cli/plan_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/target_expression.h"
#include "cli/terminal_text.h"
#include "cli/text_table.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

constexpr int kTitleWidth = 60;

std::string AreaName(const Catalog& catalog, const std::string& id) {
  for (const FunctionalArea& area : catalog.functional_areas()) {
    if (area.id == id) return area.name;
  }
  return "";
}

std::string Summary(const v1::AssetPlan& plan) {
  std::string text;
  if (plan.feasible()) {
    absl::StrAppendFormat(&text, "Plan for asset %s: all %d targets met by changing %d outcomes",
                          TerminalSafe(plan.asset_id()), plan.targets_after_size(),
                          plan.changes_size());
  } else {
    absl::StrAppendFormat(&text,
                          "Plan for asset %s: the targets cannot all be met. These conflict "
                          "(drop any one and the rest can be met):\n",
                          TerminalSafe(plan.asset_id()));
    for (const v1::Target& target : plan.conflicting_targets()) {
      absl::StrAppend(&text, "  ", TerminalSafe(TargetExpressionText(target)), "\n");
    }
    absl::StrAppendFormat(&text, "Best target coverage %.2f, by changing %d outcomes",
                          plan.coverage_after(), plan.changes_size());
  }
  absl::StrAppendFormat(&text, " (total increase %.2f levels)\n",
                        plan.increase_hundredths() / 100.0);
  return text;
}

// The changes come grouped by area from the collector: start a group where the area changes.
std::string ChangesText(const Catalog& catalog, const v1::AssetPlan& plan) {
  if (plan.changes().empty()) return "\nNo changes needed.\n";
  std::string text = "\nChanges by leading functional area\n";
  for (int i = 0; i < plan.changes_size(); ++i) {
    const v1::PlannedChange& change = plan.changes(i);
    if (i == 0 || plan.changes(i - 1).functional_area_id() != change.functional_area_id()) {
      absl::StrAppend(&text, "  ", TerminalSafe(change.functional_area_id()), "  ",
                      TerminalSafe(AreaName(catalog, change.functional_area_id())), "\n");
    }
    absl::StrAppendFormat(&text, "    %-18s %4s -> %-4s  %s\n", TerminalSafe(change.outcome_id()),
                          LevelText(change.from()), LevelText(change.to()),
                          Ellipsize(change.title(), kTitleWidth));
  }
  return text;
}

double MeanCredit(const google::protobuf::RepeatedPtrField<v1::TargetResult>& results) {
  if (results.empty()) return 1;
  double sum = 0;
  for (const v1::TargetResult& result : results) sum += result.credit();
  return sum / results.size();
}

std::string ValuesText(const v1::AssetPlan& plan) {
  TextTable table({"", "BEFORE", "AFTER", ""});
  table.AlignRight(1).AlignRight(2);
  table.AddRow({"Asset value", absl::StrFormat("%.2f", plan.value_before()),
                absl::StrFormat("%.2f", plan.value_after())});
  for (int i = 0; i < plan.targets_before_size() && i < plan.targets_after_size(); ++i) {
    const v1::TargetResult& before = plan.targets_before(i);
    const v1::TargetResult& after = plan.targets_after(i);
    table.AddRow(
        {TargetExpressionText(before.target()), absl::StrFormat("%.2f", before.value()),
         absl::StrFormat("%.2f", after.value()),
         absl::StrCat(before.met() ? "met" : "NOT MET", " -> ", after.met() ? "met" : "NOT MET")});
  }
  table.AddRow({"Target coverage", absl::StrFormat("%.2f", MeanCredit(plan.targets_before())),
                absl::StrFormat("%.2f", plan.coverage_after())});
  return absl::StrCat("\n", table.Render());
}

}  // namespace

std::string AssetPlanText(const Catalog& catalog, const v1::AssetPlan& plan) {
  return Summary(plan) + ChangesText(catalog, plan) + ValuesText(plan);
}

}  // namespace postura::cli
