// The implementation tiers of the posture report (`postura report`): for the organisation
// and each CSF function, a tier from Partial (1) to Adaptive (4) with the facts that
// decided it (common/crosswalk/implementation_tier.h; the rule in docs/metrics.md). Reads
// what the rule needs from the collector: each asset's outcome states, the remediation
// figures by outcome and the organisation's index history. Called by
// cli/report_command.cc. Threading: runs on the CLI's one thread.
#ifndef POSTURA_CLI_TIER_REPORT_H_
#define POSTURA_CLI_TIER_REPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/command_context.h"
#include "common/crosswalk/implementation_tier.h"
#include "nlohmann/json.hpp"
#include "postura/v1/query.pb.h"

namespace postura::cli {

// The window the history facts look back over.
inline constexpr absl::Duration kTierWindow = absl::Hours(24 * 30);

struct TierRow {
  std::string key;   // "organization", or a function id ("PR").
  std::string name;  // "the organisation", "Protect".
  crosswalk::TierFacts facts;
  crosswalk::TierDecision decision;
};

// The facts of the organisation and of each function that applies to some asset, read
// from the collector at `now`, with their decisions. Organisation first, then functions
// in catalog order.
absl::StatusOr<std::vector<TierRow>> ReadTiers(CommandContext& c,
                                               const v1::OrganizationScore& organization,
                                               const v1::ListAssetScoresResponse& assets,
                                               absl::Time now);

// A Markdown section: the rule in a sentence, then one row per scope with its tier and
// facts.
std::string TiersMarkdown(const std::vector<TierRow>& rows);
// [{"scope", "name", "tier", "tierName", "facts"}].
nlohmann::ordered_json TiersJson(const std::vector<TierRow>& rows);

}  // namespace postura::cli

#endif  // POSTURA_CLI_TIER_REPORT_H_
