#include "cli/score_text.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/target_expression.h"
#include "cli/terminal_text.h"
#include "cli/text_table.h"
#include "cli/time_text.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

constexpr int kNameWidth = 48;

// "  Label            ███████░░░ 0.71  note"
std::string HeadlineRow(absl::string_view label, double value, absl::string_view note = "") {
  std::string row = absl::StrFormat("  %-16s %s  %s", label, ValueBar(value), TerminalSafe(note));
  row.erase(row.find_last_not_of(' ') + 1);
  return row + "\n";
}

std::string AssetHeader(const v1::AssetSummary& summary) {
  std::string text = absl::StrCat("Asset ", summary.asset_id());
  if (!summary.name().empty()) absl::StrAppend(&text, " (", summary.name(), ")");
  absl::StrAppend(&text, ", ", GroupText(summary.implementation_group()));
  if (!summary.department_id().empty()) {
    absl::StrAppend(&text, ", department ", summary.department_id());
  }
  if (!summary.supplier_id().empty()) absl::StrAppend(&text, ", supplier ", summary.supplier_id());
  return TerminalSafe(text) + "\n";
}

std::string Headlines(const v1::AssetScore& score, absl::Time now) {
  const v1::AssetSummary& s = score.summary();
  std::string text = HeadlineRow("Value", s.value());
  std::string limit = "not limited by its dependencies";
  if (!s.limiting_asset_id().empty() && s.limiting_asset_id() != s.asset_id()) {
    limit = absl::StrCat("limited by dependency ", s.limiting_asset_id());
  } else if (s.limiting_asset_id().empty() && s.adjusted_value() < s.value()) {
    limit = "limited by a dependency you may not see";
  }
  text += HeadlineRow("Adjusted value", s.adjusted_value(), limit);
  text +=
      HeadlineRow("Coverage", s.coverage(),
                  absl::StrFormat("%d live, %d stale, %d no evidence (%d observed, %d attested)",
                                  s.outcomes_live(), s.outcomes_stale(), s.outcomes_no_evidence(),
                                  s.outcomes_observed(), s.outcomes_attested()));
  if (s.target_count() == 0) {
    absl::StrAppend(&text, "  ", absl::StrFormat("%-16s", "Targets"),
                    " none registered (postura targets set)\n");
  } else {
    int met = 0;
    for (const v1::TargetResult& t : score.targets()) met += t.met();
    text += HeadlineRow("Target coverage", s.target_coverage(),
                        absl::StrFormat("%d of %d targets met%s", met, s.target_count(),
                                        s.targets_met() ? "" : " (NOT all met)"));
  }
  const int64_t newest = s.last_evidence_observed_at_unix_nanos();
  absl::StrAppend(&text, "  ", absl::StrFormat("%-16s", "Newest evidence"), " ",
                  newest == 0 ? "none yet (no agent has reported)"
                              : absl::StrCat(AgeText(now - absl::FromUnixNanos(newest)), " ago (",
                                             UnixNanosText(newest), ")"),
                  "\n");
  return text;
}

std::string FunctionsText(const v1::AssetScore& score) {
  TextTable table({"ID", "NAME", "VALUE"});
  for (const v1::FunctionScore& function : score.functions()) {
    table.AddRow(
        {function.id(), Ellipsize(function.name(), kNameWidth), ValueBar(function.value())});
    for (const v1::CategoryScore& category : function.categories()) {
      table.AddRow({absl::StrCat("  ", category.id()), Ellipsize(category.name(), kNameWidth),
                    ValueBar(category.value())});
    }
  }
  return absl::StrCat("\nFunctions and categories\n", table.Render());
}

std::string TargetsText(const v1::AssetScore& score) {
  if (score.targets().empty()) return "";
  TextTable table({"TARGET", "VALUE", "STATUS", "CREDIT"});
  table.AlignRight(1).AlignRight(3);
  for (const v1::TargetResult& t : score.targets()) {
    table.AddRow({TargetExpressionText(t.target()), absl::StrFormat("%.2f", t.value()),
                  t.met() ? "met" : "NOT MET", absl::StrFormat("%.2f", t.credit())});
  }
  return absl::StrCat("\nTargets\n", table.Render());
}

// The evidence to show for an outcome: the deciding source, or else (all expired) the
// newest one. Null when nothing was reported.
const v1::SourceEvidence* ShownEvidence(const v1::OutcomeScore& outcome) {
  if (!outcome.deciding().agent_id().empty()) return &outcome.deciding();
  const v1::SourceEvidence* newest = nullptr;
  for (const v1::SourceEvidence& source : outcome.sources()) {
    if (newest == nullptr || source.observed_at_unix_nanos() > newest->observed_at_unix_nanos()) {
      newest = &source;
    }
  }
  return newest;
}

std::string OutcomesText(const v1::AssetScore& score, absl::Time now) {
  TextTable table({"OUTCOME", "LEVEL", "STATE", "DECIDED BY (AGENT / CHECK)", "AGE", "TITLE"});
  table.AlignRight(1).AlignRight(4);
  for (const v1::FunctionScore& function : score.functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& outcome : category.outcomes()) {
        const v1::SourceEvidence* evidence = ShownEvidence(outcome);
        std::string source = "-", age = "-";
        if (evidence != nullptr) {
          source = absl::StrCat(evidence->agent_id(), " / ", evidence->check_id(),
                                evidence->expired() ? " (expired)" : "");
          age = AgeText(now - absl::FromUnixNanos(evidence->observed_at_unix_nanos()));
        }
        table.AddRow({outcome.id(), LevelText(outcome.level()),
                      std::string(OutcomeStateText(outcome.state())), source, age,
                      Ellipsize(outcome.title(), kNameWidth)});
      }
    }
  }
  return absl::StrCat("\nOutcomes\n", table.Render());
}

// A table of rollups: key, name, asset count, index and adjusted index.
std::string RollupsText(absl::string_view title, absl::string_view key_header,
                        const google::protobuf::RepeatedPtrField<v1::Rollup>& rollups,
                        bool with_adjusted) {
  if (rollups.empty()) return absl::StrCat("\n", title, "\n  none\n");
  // Implementation groups have no names of their own: leave the column out then.
  const bool named = std::any_of(rollups.begin(), rollups.end(), [](const v1::Rollup& r) {
    return !r.name().empty() && r.name() != r.key();
  });
  std::vector<std::string> headers = {std::string(key_header), "ASSETS",
                                      with_adjusted ? "INDEX" : "VALUE"};
  if (named) headers.insert(headers.begin() + 1, "NAME");
  if (with_adjusted) headers.push_back("ADJUSTED");
  TextTable table(std::move(headers));
  table.AlignRight(named ? 2 : 1);
  for (const v1::Rollup& rollup : rollups) {
    std::vector<std::string> row = {rollup.key(), absl::StrCat(rollup.asset_count()),
                                    ValueBar(rollup.index())};
    if (named) row.insert(row.begin() + 1, Ellipsize(rollup.name(), kNameWidth));
    if (with_adjusted) row.push_back(ValueBar(rollup.adjusted_index()));
    table.AddRow(std::move(row));
  }
  return absl::StrCat("\n", title, "\n", table.Render());
}

std::string FunctionalAreasText(const v1::OrganizationScore& score) {
  if (score.functional_areas().empty()) return "\nFunctional areas\n  none\n";
  TextTable table({"AREA", "NAME", "ACHIEVEMENT", "OPEN GAPS"});
  table.AlignRight(3);
  for (const v1::FunctionalAreaRollup& area : score.functional_areas()) {
    table.AddRow({area.id(), Ellipsize(area.name(), kNameWidth), ValueBar(area.achievement()),
                  absl::StrCat(area.open_gaps())});
  }
  return absl::StrCat("\nFunctional areas (who does the work)\n", table.Render());
}

}  // namespace

std::string AssetScoreText(const v1::AssetScore& score, bool with_outcomes, absl::Time now) {
  std::string text = AssetHeader(score.summary()) + Headlines(score, now) + FunctionsText(score) +
                     TargetsText(score);
  if (with_outcomes) text += OutcomesText(score, now);
  return text;
}

std::string OrganizationScoreText(const v1::OrganizationScore& score) {
  std::string text = absl::StrFormat("Organisation: %d assets\n", score.asset_count());
  text += HeadlineRow("Index", score.index(), "weighted IG1 = 1, IG2 = 2, IG3 = 3");
  text += HeadlineRow("Adjusted index", score.adjusted_index(), "with dependencies' limits");
  text += HeadlineRow("Coverage", score.coverage(), "mean share of outcomes with live evidence");
  text += HeadlineRow("Meeting targets", score.share_meeting_targets(),
                      absl::StrFormat("%d of %d assets with targets meet them all",
                                      score.assets_meeting_targets(), score.assets_with_targets()));
  text += RollupsText("Implementation groups", "TIER", score.implementation_groups(), true);
  text += RollupsText("Departments", "DEPARTMENT", score.departments(), true);
  text += RollupsText("Suppliers", "SUPPLIER", score.suppliers(), true);
  text += RollupsText("Functions", "FUNCTION", score.functions(), false);
  text += FunctionalAreasText(score);
  return text;
}

}  // namespace postura::cli
