#include "cli/profile_text.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/markdown_table.h"
#include "cli/target_expression.h"
#include "cli/terminal_text.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

std::string Value(double v) { return absl::StrFormat("%.3f", v); }
std::string Signed(double v) { return absl::StrFormat("%+.3f", v); }
std::string Percent(double v) { return absl::StrFormat("%.0f%%", 100 * v); }

std::string BasisName(v1::TargetBasis basis) {
  switch (basis) {
    case v1::NO_TARGETS:
      return "no targets";
    case v1::TARGETS_MET:
      return "targets already met (no plan needed)";
    case v1::PLANNED:
      return "planned";
    case v1::PLANNED_BEST_COVERAGE:
      return "planned, best coverage (targets conflict)";
    case v1::PLAN_FAILED:
      return "plan failed";
    default:
      return "?";
  }
}

std::string Owner(const v1::RoadmapAction& action) {
  std::string owner = absl::StrCat(action.functional_area_id(), " ", action.functional_area_name());
  if (!action.supplier_id().empty()) {
    absl::StrAppend(&owner, "; supplier ",
                    action.supplier_name().empty() ? action.supplier_id() : action.supplier_name());
  } else if (!action.department_id().empty()) {
    absl::StrAppend(
        &owner, "; department ",
        action.department_name().empty() ? action.department_id() : action.department_name());
  }
  return owner;
}

std::string FunctionsTable(const google::protobuf::RepeatedPtrField<v1::FunctionProfile>& functions,
                           bool organization) {
  std::string text =
      organization ? MarkdownHeader({"function", "name", "assets", "current", "target", "gap"})
                   : MarkdownHeader({"function", "name", "current", "target", "gap", "own target"});
  for (const v1::FunctionProfile& f : functions) {
    if (organization) {
      text += MarkdownRow({f.function_id(), f.name(), absl::StrCat(f.asset_count()),
                           Value(f.current()), Value(f.target()), Signed(f.gap())});
    } else {
      text += MarkdownRow({f.function_id(), f.name(), Value(f.current()), Value(f.target()),
                           Signed(f.gap()),
                           f.has_target_rule() ? TargetExpressionText(f.target_rule()) : "-"});
    }
  }
  return text + "\n";
}

std::string AreasTable(const google::protobuf::RepeatedPtrField<v1::FunctionalAreaProfile>& areas,
                       const std::string& gap_name) {
  std::string text = MarkdownHeader({"area", "name", "outcomes", "level now", "level in target",
                                     gap_name, "share of gap", "actions"});
  for (const v1::FunctionalAreaProfile& a : areas) {
    text += MarkdownRow({a.functional_area_id(), a.name(), absl::StrCat(a.outcome_count()),
                         Value(a.current_level()), Value(a.target_level()), Signed(a.gap()),
                         Percent(a.share_of_gap()), absl::StrCat(a.action_count())});
  }
  return text + "\n";
}

// The roadmap in its phases, each under a heading of `hashes`; `organization` adds the
// asset and the index reached.
std::string RoadmapSection(const google::protobuf::RepeatedPtrField<v1::RoadmapAction>& roadmap,
                           bool organization, const std::string& hashes) {
  std::string text;
  uint32_t phase = 0;
  int number = 0;
  for (const v1::RoadmapAction& action : roadmap) {
    if (action.phase() != phase) {
      phase = action.phase();
      absl::StrAppend(&text, phase == roadmap.begin()->phase() ? "" : "\n", hashes, " Phase ",
                      phase, ": outcomes of IG", phase, "\n\n");
      std::vector<std::string> header = {"#", "outcome", "title", "from", "to", "owner"};
      if (organization) header.insert(header.begin() + 1, "asset");
      header.push_back("asset value reached");
      header.push_back("asset meets targets");
      if (organization) header.push_back("index reached");
      text += MarkdownHeader(header);
    }
    std::vector<std::string> row = {absl::StrCat(++number), action.outcome_id(),
                                    action.title(),         LevelText(action.from()),
                                    LevelText(action.to()), Owner(action)};
    if (organization) row.insert(row.begin() + 1, action.asset_id());
    row.push_back(Value(action.asset_value_reached()));
    row.push_back(action.asset_targets_met() ? "yes" : "no");
    if (organization) row.push_back(Value(action.index_reached()));
    text += MarkdownRow(row);
  }
  return text + "\n";
}

std::string TargetsTable(const v1::AssetProfile& asset) {
  if (asset.targets_current().empty()) return "";
  std::string text = MarkdownHeader({"target", "now", "met now", "in target profile", "met then"});
  for (int i = 0; i < asset.targets_current_size(); ++i) {
    const v1::TargetResult& now = asset.targets_current(i);
    const v1::TargetResult& then = asset.targets_target(i);
    text += MarkdownRow({TargetExpressionText(now.target()), Value(now.value()),
                         now.met() ? "yes" : "no", Value(then.value()), then.met() ? "yes" : "no"});
  }
  return text + "\n";
}

// One asset: `full` adds every outcome's level (the organisation's page leaves them to
// `postura profile ASSET`).
std::string AssetSection(const v1::AssetProfile& asset, bool full) {
  std::string text = absl::StrCat(
      "## Asset ", MarkdownCell(asset.asset_id()),
      asset.name().empty() ? "" : absl::StrCat(" (", MarkdownCell(asset.name()), ")"), ", ",
      GroupText(asset.implementation_group()), "\n\n", "Target profile: ", BasisName(asset.basis()),
      ": ", MarkdownCell(asset.basis_note()), ".\n\n",
      "Asset value: ", Value(asset.current_value()), " now, ", Value(asset.target_value()),
      " in the target profile (", Signed(asset.target_value() - asset.current_value()), ").\n\n");
  text += TargetsTable(asset);
  for (const v1::Target& target : asset.conflicting_targets()) {
    absl::StrAppend(&text, "- conflicting target: ", MarkdownCell(TargetExpressionText(target)),
                    "\n");
  }
  if (!asset.conflicting_targets().empty()) text += "\n";
  const std::string sub = "###";
  absl::StrAppend(&text, sub, " Current and target profile by function\n\n",
                  FunctionsTable(asset.functions(), false));
  if (full) {
    absl::StrAppend(
        &text, sub, " Outcomes (", asset.outcomes_size(), " applicable)\n\n",
        MarkdownHeader({"outcome", "title", "function", "area", "min IG", "current", "target"}));
    for (const v1::OutcomeProfile& o : asset.outcomes()) {
      text += MarkdownRow({o.outcome_id(), o.title(), o.function_id(), o.functional_area_id(),
                           absl::StrCat("IG", o.minimum_ig()), LevelText(o.current()),
                           LevelText(o.target())});
    }
    text += "\n";
  }
  absl::StrAppend(&text, sub, " Gap by functional area\n\n",
                  AreasTable(asset.functional_areas(), "gap (asset value)"));
  absl::StrAppend(&text, sub, " Roadmap\n\n");
  if (asset.roadmap().empty()) {
    absl::StrAppend(&text, "No roadmap: nothing to change (", BasisName(asset.basis()), ").\n\n");
  } else {
    text += RoadmapSection(asset.roadmap(), false, "####");
  }
  return text;
}

// The implementation tiers over the same assets, each with the facts that decided it.
std::string TiersSection(const v1::TiersAnswer& tiers) {
  if (tiers.tiers().empty()) return "";
  std::string text = absl::StrCat("### Implementation tiers (NIST CSF)\n\n",
                                  MarkdownHeader({"scope", "name", "tier", "facts"}));
  for (const v1::ScopeTier& tier : tiers.tiers()) {
    text +=
        MarkdownRow({tier.scope(), tier.name(), absl::StrCat(tier.tier(), " ", tier.tier_name()),
                     absl::StrJoin(tier.facts(), "; ")});
  }
  return text + "\n";
}

std::string OrganizationSection(const v1::Profile& profile) {
  const v1::OrganizationProfile& org = profile.organization();
  std::string text = absl::StrCat("## Organisation (", org.asset_count(), " assets)\n\n");
  if (org.assets_with_targets() == 0) {
    text += "No asset has targets: every target profile is the current one.\n\n";
  } else {
    absl::StrAppend(&text, org.assets_meeting_targets(), " of ", org.assets_with_targets(),
                    " assets with targets meet them now; ", org.assets_meeting_targets_after(),
                    " of ", org.assets_with_targets(), " once the roadmap is done.\n\n");
  }
  absl::StrAppend(&text,
                  "Index (criticality-weighted mean of asset values): ", Value(org.index_current()),
                  " now, ", Value(org.index_target()), " in the target profile.\n\n");
  text += TiersSection(org.tiers());
  absl::StrAppend(&text, "### Functions (means over the assets where they apply)\n\n",
                  FunctionsTable(org.functions(), true));
  absl::StrAppend(&text, "### Gap by functional area\n\n",
                  AreasTable(org.functional_areas(), "gap (index)"));
  absl::StrAppend(&text, "### Roadmap, every asset's actions merged\n\n");
  if (org.roadmap().empty()) {
    text += "No roadmap: no asset needs a change to meet its targets.\n\n";
  } else {
    text += RoadmapSection(org.roadmap(), true, "####");
  }
  return text;
}

}  // namespace

std::string ProfileMarkdown(const v1::Profile& profile, absl::Time generated_at,
                            const std::string& collector) {
  std::string text = absl::StrCat(
      "# Profile: current, target, gap and roadmap\n\nGenerated ",
      absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", generated_at, absl::UTCTimeZone()),
      " from the collector at ", TerminalSafe(collector),
      ". Levels are 0, 0.33, 0.67 and 1; values are CyberTOMP values in [0, 1]; a roadmap "
      "runs IG1 outcomes before IG2 before IG3, and within a phase the functional area with "
      "the larger share of the gap first (docs/metrics.md, \"Profile and roadmap\").\n\n");
  if (!profile.has_organization()) {
    if (profile.assets().empty()) return text;
    return text + AssetSection(profile.assets(0), /*full=*/true);
  }
  text += OrganizationSection(profile);
  for (const v1::AssetProfile& asset : profile.assets()) {
    text += AssetSection(asset, /*full=*/false);
  }
  return text;
}

}  // namespace postura::cli
