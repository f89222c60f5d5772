#include "cli/score_report.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/terminal_text.h"
#include "common/model/asset_score.h"

namespace postura::cli {
namespace {

constexpr int kBarWidth = 20;
constexpr int kNameWidth = 52;

// A horizontal bar, kBarWidth cells long at 1.0, drawn in eighths of a cell.
std::string Bar(double value) {
  static constexpr const char* kEighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  const int eighths = static_cast<int>(std::lround(std::clamp(value, 0.0, 1.0) * kBarWidth * 8));
  std::string bar;
  for (int i = 0; i < eighths / 8; ++i) bar += "█";
  bar += kEighths[eighths % 8];
  return bar;
}

std::string Fit(absl::string_view text, int width) {
  if (static_cast<int>(text.size()) <= width) return std::string(text);
  // Cut where a character starts, never inside a multi-byte one.
  std::size_t end = width - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat(text.substr(0, end), "...");
}

std::string ValueRow(absl::string_view label, double value) {
  std::string row = absl::StrFormat("  %-*s %6.4f  %s", kNameWidth,
                                    Fit(TerminalSafe(label), kNameWidth), value, Bar(value));
  // A value of 0 has no bar: end the line at the number.
  row.erase(row.find_last_not_of(' ') + 1);
  return row + "\n";
}

}  // namespace

StatusScore ScoreStatus(const Catalog& catalog, ImplementationGroup group,
                        std::vector<Level> levels, std::vector<Target> targets) {
  StatusScore score;
  score.group = group;
  score.values = AssetScore(catalog.model(group), levels).Values();
  score.levels = std::move(levels);
  score.targets = std::move(targets);
  score.report = EvaluateTargets(score.targets, score.values, score.levels);
  return score;
}

nlohmann::ordered_json ScoreJson(const Catalog& catalog, const StatusScore& score) {
  const ScoringModel& model = catalog.model(score.group);
  nlohmann::ordered_json json;
  json["implementation_group"] = std::string(ImplementationGroupName(score.group));
  json["asset"] = score.values.asset;
  json["functions"] = nlohmann::ordered_json::object();
  for (int f : model.applicable_functions()) {
    json["functions"][catalog.functions()[f].id] = score.values.functions[f];
  }
  json["categories"] = nlohmann::ordered_json::object();
  for (int c : model.applicable_categories()) {
    json["categories"][catalog.categories()[c].id] = score.values.categories[c];
  }
  json["targets"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < score.targets.size(); ++i) {
    const Target& target = score.targets[i];
    const TargetResult& result = score.report.results[i];
    json["targets"].push_back({{"scope", std::string(ScopeKindName(target.scope.kind))},
                               {"id", ScopeId(catalog, target.scope)},
                               {"operator", std::string(TargetOperatorName(target.op))},
                               {"threshold", target.threshold},
                               {"value", result.value},
                               {"met", result.met},
                               {"credit", result.credit}});
  }
  json["coverage"] = score.report.coverage;
  json["all_targets_met"] = score.report.all_met;
  return json;
}

std::string ScoreText(const Catalog& catalog, const StatusScore& score) {
  const ScoringModel& model = catalog.model(score.group);
  std::string text = ValueRow("Asset", score.values.asset);
  for (int f : model.applicable_functions()) {
    const CatalogFunction& function = catalog.functions()[f];
    text += ValueRow(absl::StrCat(function.id, "  ", function.name), score.values.functions[f]);
    for (int c : model.categories_of(f)) {
      const CatalogCategory& category = catalog.categories()[c];
      text += ValueRow(absl::StrCat("    ", category.id, "  ", category.name),
                       score.values.categories[c]);
    }
  }
  if (score.targets.empty()) return absl::StrCat(text, "  No strategic targets.\n");

  int met = 0;
  for (const TargetResult& result : score.report.results) met += result.met;
  absl::StrAppendFormat(&text, "\n  Targets: %d of %d met, coverage %.4f\n", met,
                        score.targets.size(), score.report.coverage);
  for (std::size_t i = 0; i < score.targets.size(); ++i) {
    const Target& target = score.targets[i];
    const TargetResult& result = score.report.results[i];
    absl::StrAppendFormat(&text, "  %-8s %-16s %-2s %6.4f   value %6.4f   %-7s  credit %6.4f\n",
                          ScopeKindName(target.scope.kind), ScopeId(catalog, target.scope),
                          TargetOperatorSymbol(target.op), target.threshold, result.value,
                          result.met ? "met" : "NOT MET", result.credit);
  }
  return text;
}

}  // namespace postura::cli
