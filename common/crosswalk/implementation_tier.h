// NIST CSF implementation tiers (Partial 1 to Adaptive 4) derived from what Postura knows
// of a scope (a CSF function, or the whole organisation): evidence coverage and levels,
// targets, evidence renewal, and the history of gaps and the index. The rule is in
// docs/metrics.md ("Implementation tiers"); each decision carries the facts that made it.
// Called by the CLI's posture report (cli/tier_report.cc). Threading: pure functions; any
// thread.
#ifndef POSTURA_COMMON_CROSSWALK_IMPLEMENTATION_TIER_H_
#define POSTURA_COMMON_CROSSWALK_IMPLEMENTATION_TIER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace postura::crosswalk {

enum class Tier { kPartial = 1, kRiskInformed = 2, kRepeatable = 3, kAdaptive = 4 };

// "Partial", "Risk Informed", "Repeatable", "Adaptive".
absl::string_view TierName(Tier tier);

// The thresholds of the rule.
inline constexpr double kRiskInformedCoverage = 0.5;  // Share of pairs evaluated.
inline constexpr double kRiskInformedLevel = 0.33;    // Mean level over applicable pairs.
inline constexpr double kTargetedAssetsShare = 0.5;   // Assets with targets / assets.
inline constexpr double kRepeatableCoverage = 0.8;
inline constexpr double kMaxStaleShare = 0.05;     // Stale / (live + stale).
inline constexpr double kMaxRemediationDays = 30;  // p90 and oldest open gap.

// What is known of one scope.
struct TierFacts {
  int applicable = 0;        // Applicable (asset, outcome) pairs.
  int live = 0;              // Of those, with live evidence.
  int stale = 0;             // Of those, whose evidence expired.
  int level_hundredths = 0;  // Sum of levels over the live pairs, in hundredths.
  int assets = 0;
  int assets_with_targets = 0;
  // History, when known: gaps closed in the window, the longest p90 and oldest open gap
  // (days), and the index at the start of the window and now.
  std::optional<int> gaps_closed;
  std::optional<double> p90_days;
  std::optional<double> oldest_open_days;
  std::optional<double> index_then;
  std::optional<double> index_now;
};

struct TierDecision {
  Tier tier = Tier::kPartial;
  // One line per condition checked, in order, each saying whether it held: "coverage 62%
  // >= 50%: yes". The first that failed stopped the climb.
  std::vector<std::string> facts;
};

TierDecision DecideTier(const TierFacts& facts);

}  // namespace postura::crosswalk

#endif  // POSTURA_COMMON_CROSSWALK_IMPLEMENTATION_TIER_H_
