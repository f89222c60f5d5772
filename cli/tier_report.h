// The implementation tiers of the posture report (`postura report`): for the organisation
// and each CSF function, a tier from Partial (1) to Adaptive (4) with the facts that
// decided it. The collector gathers the facts and decides (Tiers.GetTiers,
// collector/api/tier_queries.h; the rule in docs/metrics.md); this unit fetches the answer
// and renders it. Called by cli/report_command.cc. Threading: runs on the CLI's one thread.
#ifndef POSTURA_CLI_TIER_REPORT_H_
#define POSTURA_CLI_TIER_REPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "cli/command_context.h"
#include "nlohmann/json.hpp"
#include "postura/v1/tiers.pb.h"

namespace postura::cli {

// The collector's tiers, as the caller's token may see them.
absl::StatusOr<v1::TiersAnswer> ReadTiers(CommandContext& c);

// A Markdown section: the rule in a sentence, then one row per scope with its tier and
// facts.
std::string TiersMarkdown(const v1::TiersAnswer& tiers);
// [{"scope", "name", "tier", "tierName", "facts"}].
nlohmann::ordered_json TiersJson(const v1::TiersAnswer& tiers);

}  // namespace postura::cli

#endif  // POSTURA_CLI_TIER_REPORT_H_
