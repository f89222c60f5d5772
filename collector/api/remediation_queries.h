#ifndef POSTURA_COLLECTOR_API_REMEDIATION_QUERIES_H_
#define POSTURA_COLLECTOR_API_REMEDIATION_QUERIES_H_

// Remediation time, shared by gRPC (QueryService::GetRemediation) and HTTP
// (remediation_routes.h): how long gaps stay open, from the gap episodes that live scoring
// records (collector/history/gap_log.h). Of the episodes closed in [since, until] it
// gives the count, median and p90 duration (duration_quantiles.h), and of those open now
// the count and the oldest one's age, grouped by outcome, asset, functional area (the
// outcome's leading one) or supplier (the asset's, as the registry has it now).
// InvalidArgument, naming the field, for an unknown grouping, a time before 1970 or in the
// future, or since after until. A supplier principal sees only its own assets' episodes
// (those of deleted assets belong to no tenant it can prove, so only staff see them).
//
// Cost: one scan of the episodes closed in the window and one of those open now.
//
// Threading: const and thread-safe. Everything borrowed must outlive this object.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/access/access_policy.h"
#include "collector/registry/registry.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// The window when the request gives no since.
inline constexpr absl::Duration kDefaultRemediationWindow = absl::Hours(24 * 90);

struct RemediationSources {
  const Registry* registry = nullptr;
  const EvidenceStore* store = nullptr;
  const Catalog* catalog = nullptr;
  Clock* clock = nullptr;
};

class RemediationQueries {
 public:
  explicit RemediationQueries(const RemediationSources& sources) : sources_(sources) {}

  // Over every asset.
  absl::StatusOr<v1::Remediation> GetRemediation(const v1::GetRemediationRequest& request) const;
  // Over the assets the principal may see (kReadScores, checked by the caller).
  absl::StatusOr<v1::Remediation> GetRemediation(const Principal& principal,
                                                 const v1::GetRemediationRequest& request) const;

 private:
  absl::StatusOr<v1::Remediation> Compute(const v1::GetRemediationRequest& request,
                                          const Principal* principal) const;

  const RemediationSources sources_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_REMEDIATION_QUERIES_H_
