#ifndef POSTURA_COLLECTOR_API_TIER_QUERIES_H_
#define POSTURA_COLLECTOR_API_TIER_QUERIES_H_

// NIST CSF implementation tiers, shared by gRPC (tiers_service.h, postura/v1/tiers.proto)
// and HTTP (tier_routes.h): for the organisation and each CSF function that applies to some
// asset, the facts the rule needs (crosswalk::TierFacts) gathered from what the collector
// holds, and the tier they decide (common/crosswalk/implementation_tier.h; the rule in
// docs/metrics.md, "Implementation tiers"):
// - coverage, staleness and levels: every visible asset's live cells (LiveScorer), counted
//   over its applicable (asset, outcome) pairs;
// - assets with targets: the same assets;
// - gaps closed on time: remediation time by outcome over the last 90 days
//   (remediation_queries.h), folded per function;
// - the trend: the index now against the index recorded 30 days ago (HistoryReader).
// A supplier (or department officer) sees only its tenant's (department's) assets: its
// "organization" scope is those assets, its remediation figures theirs, and its trend is
// its supplier (department) rollup's.
//
// Cost: one snapshot per visible asset, one remediation scan, one history lookup.
//
// Threading: const and thread-safe. Everything borrowed must outlive this object.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/access/access_policy.h"
#include "collector/api/remediation_queries.h"
#include "collector/api/score_queries.h"
#include "collector/scoring/live_scorer.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "common/crosswalk/implementation_tier.h"
#include "common/model/catalog.h"
#include "postura/v1/tiers.pb.h"

namespace postura::collector {

// How far back the index trend looks.
inline constexpr absl::Duration kTierTrendWindow = absl::Hours(24 * 30);

struct TierQueriesSources {
  const ScoreQueries* queries = nullptr;  // For the tenant-scoped list of assets.
  const LiveScorer* scorer = nullptr;
  const Registry* registry = nullptr;
  const EvidenceStore* store = nullptr;  // For the score history.
  const RemediationQueries* remediation = nullptr;
  const Catalog* catalog = nullptr;
  Clock* clock = nullptr;
};

// The facts of every scope, before the rule is applied: the organisation's, and each
// function's that applies to some asset (by catalog position).
struct TierScopes {
  crosswalk::TierFacts organization;
  std::map<int, crosswalk::TierFacts> functions;
};

class TierQueries {
 public:
  explicit TierQueries(const TierQueriesSources& sources) : sources_(sources) {}

  // The tiers over the assets the principal may see (kReadScores, checked by the caller).
  absl::StatusOr<v1::TiersAnswer> GetTiers(const Principal& principal,
                                           const v1::GetTiersRequest& request) const;

  // The facts alone, as GetTiers gathers them at `now` (the collector's time; tests read
  // them through this).
  absl::StatusOr<TierScopes> GatherFacts(const Principal& principal, absl::Time now) const;

 private:
  // Coverage, staleness, levels and targets of the visible assets.
  absl::Status AddAssets(const Principal& principal, TierScopes& scopes) const;
  // Gaps closed, p90 and oldest open gap: the organisation's and, per function, the
  // longest among its outcomes.
  absl::Status AddRemediation(const Principal& principal, absl::Time now, TierScopes& scopes) const;
  // The index now and at the start of the trend window, the same for every scope.
  absl::Status AddTrend(const Principal& principal, absl::Time now, TierScopes& scopes) const;
  // "the organisation", or which assets a supplier or department officer sees.
  std::string ScopeName(const Principal& principal) const;

  const TierQueriesSources sources_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_TIER_QUERIES_H_
