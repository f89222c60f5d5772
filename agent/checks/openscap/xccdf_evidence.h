// Turns one OpenSCAP evaluation (xccdf_results.h) into evidence per ULEO outcome, by the
// rule of docs/metrics.md ("OpenSCAP results"): of the rules mapped to an outcome, pass
// and fail count; all pass -> 1, at least 2/3 pass -> 0.67, at least 1/3 -> 0.33, else 0;
// a rule in error or unknown with none failing -> not evaluated; notapplicable,
// notselected, notchecked, informational and fixed do not count.
//
// Called by the scan command (agent/scan_command.cc). Pure functions: thread-safe.
#ifndef POSTURA_AGENT_CHECKS_OPENSCAP_XCCDF_EVIDENCE_H_
#define POSTURA_AGENT_CHECKS_OPENSCAP_XCCDF_EVIDENCE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "agent/checks/openscap/rule_mapping.h"
#include "agent/checks/openscap/xccdf_results.h"
#include "common/model/level.h"

namespace postura::agent::openscap {

// What one outcome's mapped rules say.
struct OutcomeEvidence {
  std::string outcome;         // ULEO id.
  std::optional<Level> level;  // Unset: not evaluated (a rule erred and none failed).
  int passed = 0;
  int failed = 0;
  int unresolved = 0;              // Rules in error or unknown.
  std::vector<std::string> rules;  // The rules that passed, failed or erred, sorted.
  std::string detail;              // The failing rules, within the detail limit.
};

// One evaluated rule, as the scan lists it.
struct RuleVerdict {
  std::string rule_id;
  std::string title;
  std::string severity;
  RuleOutcome outcome = RuleOutcome::kUnknown;
  RuleOutcomes mapped;
};

struct XccdfEvidence {
  // "openscap:<profile id>" ("openscap:no-profile" without one), a valid check id:
  // bytes other than printable ASCII become '_', cut to 256 bytes.
  std::string source;
  std::string notice;  // Set when the evaluation says nothing, e.g. all notapplicable.
  bool all_not_applicable = false;
  std::vector<RuleVerdict> rules;           // Every rule-result except notselected.
  std::vector<OutcomeEvidence> outcomes;    // Sorted by outcome id; only those with rules
                                            // that passed, failed or erred.
  std::vector<std::string> unmapped_rules;  // Passed, failed or erred, mapped to nothing.
};

// Maps and levels `results`. Each detail holds "N of M rules fail: ID (TITLE, SEVERITY);
// ..." cut to at most `max_detail_bytes` (valid UTF-8) with "... and K more" when the
// list does not fit.
XccdfEvidence EvidenceFromXccdf(const XccdfResults& results, const RuleMapping& mapping,
                                std::size_t max_detail_bytes = 1024);

// The level from counts of passed and failed rules (passed + failed > 0).
Level LevelFromCounts(int passed, int failed);

}  // namespace postura::agent::openscap

#endif  // POSTURA_AGENT_CHECKS_OPENSCAP_XCCDF_EVIDENCE_H_
