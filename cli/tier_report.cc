#include "cli/tier_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/markdown_table.h"

namespace postura::cli {

absl::StatusOr<v1::TiersAnswer> ReadTiers(CommandContext& c) {
  return c.collector.Call(c.collector.tiers(), &v1::Tiers::Stub::GetTiers, v1::GetTiersRequest());
}

std::string TiersMarkdown(const v1::TiersAnswer& tiers) {
  std::string text = absl::StrCat(
      "## Implementation tiers\n\nNIST CSF tiers from what Postura knows (docs/metrics.md, "
      "\"Implementation tiers\"): Risk Informed needs half the outcomes evaluated, a mean "
      "level of 0.33 and targets on half the assets; Repeatable 80% evaluated and at most 5% "
      "of evidence expired; Adaptive gaps closed within 30 days (p90, and none open longer) "
      "in the last 90 days and an organisation index not lower than 30 days ago. A "
      "function's trend is the organisation's: there is no history per function yet.\n\n",
      MarkdownHeader({"scope", "tier", "facts"}));
  for (const v1::ScopeTier& row : tiers.tiers()) {
    text += MarkdownRow({row.scope() == "organization" ? "organisation"
                                                       : absl::StrCat(row.scope(), " ", row.name()),
                         absl::StrCat(row.tier(), " ", row.tier_name()),
                         absl::StrJoin(row.facts(), "; ")});
  }
  return text + "\n";
}

nlohmann::ordered_json TiersJson(const v1::TiersAnswer& tiers) {
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const v1::ScopeTier& row : tiers.tiers()) {
    json.push_back({{"scope", row.scope()},
                    {"name", row.name()},
                    {"tier", row.tier()},
                    {"tierName", row.tier_name()},
                    {"facts", std::vector<std::string>(row.facts().begin(), row.facts().end())}});
  }
  return json;
}

}  // namespace postura::cli
