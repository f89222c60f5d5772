#include "cli/gaps_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/target_expression.h"
#include "cli/terminal_text.h"
#include "cli/text_table.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

constexpr int kTitleWidth = 60;

std::string AreaText(const v1::FunctionalAreaGaps& area) {
  double share = 0;
  for (const v1::Gap& gap : area.gaps()) share += gap.share_of_asset_value();
  TextTable table({"OUTCOME", "LEVEL", "STATE", "SHARE", "UNMET TARGET", "TITLE"});
  table.AlignRight(1).AlignRight(3);
  for (const v1::Gap& gap : area.gaps()) {
    table.AddRow({gap.outcome_id(), LevelText(gap.level()),
                  std::string(OutcomeStateText(gap.state())),
                  absl::StrFormat("%.3f", gap.share_of_asset_value()),
                  gap.has_target() ? TargetExpressionText(gap.target()) : "",
                  Ellipsize(gap.title(), kTitleWidth)});
  }
  return absl::StrFormat("\n%s  %s: %d gaps, share %.3f\n%s",
                         TerminalSafe(area.functional_area_id()), TerminalSafe(area.name()),
                         area.gaps_size(), share, table.Render());
}

}  // namespace

std::string GapsText(const v1::Gaps& gaps) {
  int count = 0;
  for (const v1::FunctionalAreaGaps& area : gaps.areas()) count += area.gaps_size();
  if (count == 0) {
    return absl::StrCat("Asset ", TerminalSafe(gaps.asset_id()),
                        " has no gaps: every outcome is at level 1 and every outcome target is "
                        "met.\n");
  }
  std::string text = absl::StrFormat(
      "Gaps of asset %s: %d outcomes in %d functional areas, the largest share first.\n"
      "SHARE is how much the asset value rises when the outcome reaches level 1.\n",
      TerminalSafe(gaps.asset_id()), count, gaps.areas_size());
  for (const v1::FunctionalAreaGaps& area : gaps.areas()) text += AreaText(area);
  return text;
}

}  // namespace postura::cli
