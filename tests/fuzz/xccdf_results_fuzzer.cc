// Fuzzes the OpenSCAP results reader (agent/checks/openscap/xccdf_results.h): an input is
// an XCCDF 1.2 results file or an ARF report. Results that parse must hold what the header
// promises (one result per rule, every rule with an id), and their evidence what
// xccdf_evidence.h promises: known outcomes, counts that add up, a level exactly when a
// rule failed or none erred, details within the limit and valid UTF-8.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/checks/openscap/rule_mapping.h"
#include "agent/checks/openscap/xccdf_evidence.h"
#include "agent/checks/openscap/xccdf_results.h"
#include "common/base/utf8.h"
#include "common/model/catalog.h"

namespace postura::agent::openscap {
namespace {

constexpr size_t kDetailBytes = 256;

void CheckEvidence(const XccdfEvidence& evidence) {
  const Catalog& catalog = Catalog::Builtin();
  for (const OutcomeEvidence& outcome : evidence.outcomes) {
    if (!catalog.FindOutcome(outcome.outcome)) __builtin_trap();
    if (outcome.passed + outcome.failed + outcome.unresolved !=
        static_cast<int>(outcome.rules.size())) {
      __builtin_trap();
    }
    if (outcome.level.has_value() != (outcome.failed > 0 || outcome.unresolved == 0)) {
      __builtin_trap();
    }
    if (outcome.detail.size() > kDetailBytes || !IsValidUtf8(outcome.detail)) __builtin_trap();
  }
  if (evidence.all_not_applicable && !evidence.outcomes.empty()) __builtin_trap();
}

void FuzzXccdfResults(absl::string_view text) {
  static const RuleMapping* mapping = new RuleMapping(*RuleMapping::Builtin(Catalog::Builtin()));
  absl::StatusOr<XccdfResults> results =
      ParseXccdfResults(text, "fuzz", XccdfParseOptions{.max_bytes = 1 << 20});
  if (!results.ok()) {
    if (results.status().message().substr(0, 6) != "fuzz: ") __builtin_trap();
    return;
  }
  absl::flat_hash_set<std::string> ids;
  for (const XccdfRuleResult& result : results->rule_results) {
    if (result.rule_id.empty() || !ids.insert(result.rule_id).second) __builtin_trap();
    if (ParseRuleOutcome(RuleOutcomeName(result.outcome)) != result.outcome) __builtin_trap();
  }
  for (const auto& [id, rule] : results->rules) {
    if (id.empty()) __builtin_trap();
  }
  CheckEvidence(EvidenceFromXccdf(*results, *mapping, kDetailBytes));
}

}  // namespace
}  // namespace postura::agent::openscap

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  postura::agent::openscap::FuzzXccdfResults(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
