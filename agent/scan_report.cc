#include "agent/scan_report.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/base/utf8.h"
#include "nlohmann/json.hpp"

namespace postura::agent {
namespace {

// What an XCCDF result says as a check verdict: error and unknown are errors; results
// that do not count (notapplicable, notchecked, informational, fixed) are not_applicable.
Verdict VerdictOf(openscap::RuleOutcome outcome) {
  switch (outcome) {
    case openscap::RuleOutcome::kPass:
      return Verdict::kPass;
    case openscap::RuleOutcome::kFail:
      return Verdict::kFail;
    case openscap::RuleOutcome::kError:
    case openscap::RuleOutcome::kUnknown:
      return Verdict::kError;
    default:
      return Verdict::kNotApplicable;
  }
}

std::optional<Level> Lower(std::optional<Level> a, std::optional<Level> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

// 0, 0.33, 0.67 or 1, written as such (not 0.33000000000000002).
nlohmann::json LevelJson(std::optional<Level> level) {
  if (!level) return nullptr;
  return LevelValue(*level);
}

std::string LevelText(std::optional<Level> level) {
  return level ? absl::StrFormat("%.2f", LevelValue(*level)) : "-";
}

}  // namespace

ScanReportBuilder::ScanReportBuilder(const Catalog& catalog,
                                     std::optional<ImplementationGroup> group,
                                     std::size_t max_detail_bytes)
    : catalog_(catalog), group_(group), max_detail_bytes_(max_detail_bytes) {}

void ScanReportBuilder::FeedOutcome(const std::string& outcome, std::optional<Level> level,
                                    const std::string& check) {
  Feed& feed = feeds_[outcome];
  feed.level = Lower(feed.level, level);
  feed.checks.push_back(check);
}

void ScanReportBuilder::AddPackResults(const std::string& pack_name,
                                       const std::vector<CheckResult>& results) {
  for (const CheckResult& result : results) {
    report_.checks.push_back({.id = result.check_id,
                              .source = absl::StrCat("pack:", pack_name),
                              .verdict = result.verdict,
                              .outcomes = result.outcomes,
                              .detail = ValidUtf8Prefix(result.detail, max_detail_bytes_)});
    if (result.verdict == Verdict::kNotApplicable) continue;  // Says nothing.
    for (const std::string& outcome : result.outcomes) {
      FeedOutcome(outcome, result.level, result.check_id);
    }
  }
}

void ScanReportBuilder::AddXccdf(const std::string& file, const openscap::XccdfEvidence& evidence) {
  for (const openscap::RuleVerdict& rule : evidence.rules) {
    std::string detail = absl::StrCat(rule.title.empty() ? "no title" : rule.title, " (",
                                      rule.severity, "): ", RuleOutcomeName(rule.outcome));
    if (rule.mapped.outcomes.empty()) absl::StrAppend(&detail, "; maps to no outcome");
    report_.checks.push_back({.id = rule.rule_id,
                              .source = evidence.source,
                              .verdict = VerdictOf(rule.outcome),
                              .outcomes = rule.mapped.outcomes,
                              .detail = ValidUtf8Prefix(detail, max_detail_bytes_)});
  }
  for (const openscap::OutcomeEvidence& outcome : evidence.outcomes) {
    Feed& feed = feeds_[outcome.outcome];
    feed.level = Lower(feed.level, outcome.level);
    feed.checks.insert(feed.checks.end(), outcome.rules.begin(), outcome.rules.end());
    if (!feed.openscap_detail.empty()) feed.openscap_detail += " | ";
    feed.openscap_detail += outcome.detail;
  }
  report_.sources.push_back({.source = evidence.source,
                             .file = file,
                             .rules = static_cast<int>(evidence.rules.size()),
                             .unmapped_rules = evidence.unmapped_rules,
                             .notice = evidence.notice});
}

ScanReport ScanReportBuilder::Build() const {
  ScanReport report = report_;
  for (const auto& [outcome, feed] : feeds_) {
    if (group_) {
      std::optional<int> index = catalog_.FindOutcome(outcome);
      if (!index || catalog_.outcomes()[*index].min_ig > IndexOf(*group_) + 1) continue;
    }
    report.outcomes.push_back({.outcome = outcome,
                               .level = feed.level,
                               .checks = feed.checks,
                               .openscap_detail = feed.openscap_detail});
  }
  return report;
}

std::string ScanReportJson(const ScanReport& report) {
  nlohmann::ordered_json json = {{"checks", nlohmann::ordered_json::array()},
                                 {"outcomes", nlohmann::ordered_json::array()},
                                 {"sources", nlohmann::ordered_json::array()}};
  for (const ScanCheck& check : report.checks) {
    json["checks"].push_back({{"id", check.id},
                              {"source", check.source},
                              {"verdict", std::string(VerdictName(check.verdict))},
                              {"outcomes", check.outcomes},
                              {"detail", check.detail}});
  }
  for (const ScanOutcome& outcome : report.outcomes) {
    json["outcomes"].push_back({{"outcome", outcome.outcome},
                                {"level", LevelJson(outcome.level)},
                                {"state", outcome.level ? "evaluated" : "not_evaluated"},
                                {"checks", outcome.checks}});
  }
  for (const ScanSource& source : report.sources) {
    json["sources"].push_back({{"source", source.source},
                               {"file", source.file},
                               {"rules", source.rules},
                               {"unmapped_rules", source.unmapped_rules},
                               {"notice", source.notice}});
  }
  // Replacement keeps invalid UTF-8 (a title from a file) from throwing.
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string ScanReportText(const ScanReport& report) {
  std::string text = absl::StrCat("Checks (", report.checks.size(), "):\n");
  for (const ScanCheck& check : report.checks) {
    absl::StrAppendFormat(
        &text, "  %-14s %s [%s] -> %s\n", VerdictName(check.verdict), check.id, check.source,
        check.outcomes.empty() ? "no outcome" : absl::StrJoin(check.outcomes, ", "));
    if (!check.detail.empty()) absl::StrAppend(&text, "                 ", check.detail, "\n");
  }
  absl::StrAppend(&text, "Outcomes (", report.outcomes.size(), "):\n");
  for (const ScanOutcome& outcome : report.outcomes) {
    absl::StrAppendFormat(&text, "  %-22s %-4s %-13s %s\n", outcome.outcome,
                          LevelText(outcome.level), outcome.level ? "evaluated" : "not_evaluated",
                          absl::StrJoin(outcome.checks, ", "));
    if (!outcome.openscap_detail.empty()) {
      absl::StrAppend(&text, "                         OpenSCAP: ", outcome.openscap_detail, "\n");
    }
  }
  for (const ScanSource& source : report.sources) {
    absl::StrAppend(&text, "OpenSCAP ", source.file, " (", source.source, "): ", source.rules,
                    " rules, ", source.unmapped_rules.size(), " evaluated rules map to no outcome",
                    source.unmapped_rules.empty() ? "" : ": ",
                    absl::StrJoin(source.unmapped_rules, ", "), "\n");
    if (!source.notice.empty()) absl::StrAppend(&text, "  NOTE: ", source.notice, "\n");
  }
  return text;
}

}  // namespace postura::agent
