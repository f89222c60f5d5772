#include "agent/checks/openscap/xccdf_evidence.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/utf8.h"

namespace postura::agent::openscap {
namespace {

constexpr size_t kMoreSuffixBytes = 24;  // Room for "; ... and 12345 more".
constexpr size_t kMaxSourceBytes = 256;  // The collector's limit on check ids.

bool Counts(RuleOutcome outcome) {
  return outcome == RuleOutcome::kPass || outcome == RuleOutcome::kFail;
}
bool Unresolved(RuleOutcome outcome) {
  return outcome == RuleOutcome::kError || outcome == RuleOutcome::kUnknown;
}

// "ID (TITLE, SEVERITY)" for each rule, after `head`, within `max_bytes`.
std::string ListWithin(std::string head, const std::vector<const RuleVerdict*>& rules,
                       size_t max_bytes) {
  std::string detail = std::move(head);
  size_t listed = 0;
  for (const RuleVerdict* rule : rules) {
    std::string entry =
        absl::StrCat(listed == 0 ? "" : "; ", rule->rule_id, " (",
                     rule->title.empty() ? "no title" : rule->title, ", ", rule->severity, ")");
    const bool last = listed + 1 == rules.size();
    const size_t room = max_bytes - std::min(max_bytes, detail.size()) -
                        (last ? 0 : std::min(max_bytes, kMoreSuffixBytes));
    if (entry.size() > room) {
      if (listed == 0) {  // Not even one fits whole: cut it between characters.
        absl::StrAppend(&detail, ValidUtf8Prefix(entry, room));
        ++listed;
      }
      break;
    }
    detail += entry;
    ++listed;
  }
  if (listed < rules.size()) absl::StrAppend(&detail, "; ... and ", rules.size() - listed, " more");
  return ValidUtf8Prefix(detail, max_bytes);
}

std::string DetailOf(const OutcomeEvidence& evidence,
                     const std::vector<const RuleVerdict*>& failing,
                     const std::vector<const RuleVerdict*>& unresolved, size_t max_bytes) {
  const int counted = evidence.passed + evidence.failed;
  if (!failing.empty()) {
    return ListWithin(absl::StrCat(evidence.failed, " of ", counted, " rules fail: "), failing,
                      max_bytes);
  }
  if (!unresolved.empty()) {
    return ListWithin(
        absl::StrCat("not evaluated: ", unresolved.size(), " rules in error or unknown: "),
        unresolved, max_bytes);
  }
  return ValidUtf8Prefix(absl::StrCat(counted, " of ", counted, " rules pass"), max_bytes);
}

std::string NoticeFor(const XccdfResults& results, const std::string& source, bool all_na) {
  if (results.rule_results.empty()) {
    return absl::StrCat(source, ": the evaluation holds no rule results");
  }
  if (all_na) {
    return absl::StrCat(source,
                        ": every selected rule ended notapplicable: the content does not apply "
                        "to this platform (its CPE check failed), so it is no evidence");
  }
  return "";
}

// "openscap:<profile>" usable as a check id (the collector keys its sources by it):
// printable ASCII without spaces, at most 256 bytes; other bytes become '_'.
std::string SourceName(absl::string_view profile_id) {
  std::string source = absl::StrCat("openscap:", profile_id.empty() ? "no-profile" : profile_id);
  for (char& c : source) {
    if (c <= ' ' || c >= 127) c = '_';
  }
  source.resize(std::min<size_t>(source.size(), kMaxSourceBytes));
  return source;
}

}  // namespace

Level LevelFromCounts(int passed, int failed) {
  const int counted = passed + failed;
  if (failed == 0) return Level::kDli100;
  if (3 * passed >= 2 * counted) return Level::kDli67;
  if (3 * passed >= counted) return Level::kDli33;
  return Level::kDli0;
}

XccdfEvidence EvidenceFromXccdf(const XccdfResults& results, const RuleMapping& mapping,
                                size_t max_detail_bytes) {
  XccdfEvidence evidence;
  evidence.source = SourceName(results.profile_id);
  int not_applicable = 0;
  for (const XccdfRuleResult& result : results.rule_results) {
    if (result.outcome == RuleOutcome::kNotSelected) continue;
    if (result.outcome == RuleOutcome::kNotApplicable) ++not_applicable;
    RuleVerdict verdict{.rule_id = result.rule_id,
                        .title = "",
                        .severity = "unknown",
                        .outcome = result.outcome,
                        .mapped = {}};
    if (auto it = results.rules.find(result.rule_id); it != results.rules.end()) {
      verdict.title = it->second.title;
      verdict.severity = it->second.severity;
      verdict.mapped = mapping.OutcomesFor(result.rule_id, it->second);
    } else {
      verdict.mapped = mapping.OutcomesFor(result.rule_id, XccdfRule{});
    }
    evidence.rules.push_back(std::move(verdict));
  }
  evidence.all_not_applicable =
      !evidence.rules.empty() && not_applicable == static_cast<int>(evidence.rules.size());
  evidence.notice = NoticeFor(results, evidence.source, evidence.all_not_applicable);

  struct Gathered {
    OutcomeEvidence evidence;
    std::vector<const RuleVerdict*> failing, unresolved;
  };
  std::map<std::string, Gathered> by_outcome;
  for (const RuleVerdict& rule : evidence.rules) {
    if (!Counts(rule.outcome) && !Unresolved(rule.outcome)) continue;
    if (rule.mapped.outcomes.empty()) evidence.unmapped_rules.push_back(rule.rule_id);
    for (const std::string& outcome : rule.mapped.outcomes) {
      Gathered& gathered = by_outcome[outcome];
      gathered.evidence.outcome = outcome;
      gathered.evidence.rules.push_back(rule.rule_id);
      if (rule.outcome == RuleOutcome::kPass) ++gathered.evidence.passed;
      if (rule.outcome == RuleOutcome::kFail) {
        ++gathered.evidence.failed;
        gathered.failing.push_back(&rule);
      }
      if (Unresolved(rule.outcome)) {
        ++gathered.evidence.unresolved;
        gathered.unresolved.push_back(&rule);
      }
    }
  }
  for (auto& [outcome, gathered] : by_outcome) {
    OutcomeEvidence& item = gathered.evidence;
    if (item.failed > 0 || item.unresolved == 0) {
      item.level = LevelFromCounts(item.passed, item.failed);
    }
    item.detail = DetailOf(item, gathered.failing, gathered.unresolved, max_detail_bytes);
    std::sort(item.rules.begin(), item.rules.end());
    evidence.outcomes.push_back(std::move(item));
  }
  std::sort(evidence.unmapped_rules.begin(), evidence.unmapped_rules.end());
  return evidence;
}

}  // namespace postura::agent::openscap
