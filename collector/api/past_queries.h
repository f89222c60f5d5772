#ifndef POSTURA_COLLECTOR_API_PAST_QUERIES_H_
#define POSTURA_COLLECTOR_API_PAST_QUERIES_H_

// The answers about the past, shared by gRPC (QueryService) and HTTP (http_api.cc):
// scores as of an instant, recomputed from the evidence log (PastScorer); score history
// (HistoryReader); and what changed between two instants. Requests are validated here:
// InvalidArgument for a time in the future, before the store began recording (a history
// window may start earlier: it starts when the history did), older than the evidence
// retention (as-of and diff only), or a malformed window or step; NotFound for an unknown asset,
// department or supplier; every message names the field.
//
// Threading: const and thread-safe. Everything borrowed must outlive this object.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/access/access_policy.h"
#include "collector/api/score_queries.h"
#include "collector/history/history_reader.h"
#include "collector/registry/registry.h"
#include "collector/scoring/live_scorer.h"
#include "collector/scoring/past_scorer.h"
#include "common/base/clock.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// The largest number of points one history answer holds.
inline constexpr int64_t kMaxHistoryPoints = 10000;

struct PastQueriesSources {
  const ScoreQueries* queries = nullptr;
  const LiveScorer* scorer = nullptr;  // For the assets' definitions.
  const Registry* registry = nullptr;
  const EvidenceStore* store = nullptr;
  const Catalog* catalog = nullptr;
  Clock* clock = nullptr;
  absl::Time began;                   // When the store began recording history.
  absl::Duration evidence_retention;  // Evidence older than this may be gone.
};

// The instants that questions about the past may name, as of `now` (the collector's time).
struct PastWindow {
  absl::Time began;     // The history began: a history window starts no earlier.
  absl::Time earliest;  // As-of and diff accept from here: the later of began and the
                        // oldest evidence the retention keeps.
  absl::Time now;
};

class PastQueries {
 public:
  explicit PastQueries(const PastQueriesSources& sources);

  // The instants questions about the past may name now (the dashboard clamps "since last
  // week" on a young store to them rather than be refused).
  PastWindow Window() const;

  // GetAssetScore with as_of_unix_nanos set: the same answer, as of then.
  absl::StatusOr<v1::AssetScore> GetAssetScore(const v1::GetAssetScoreRequest& request) const;
  // GetOrganizationScore with as_of_unix_nanos set.
  absl::StatusOr<v1::OrganizationScore> GetOrganizationScore(
      const v1::GetOrganizationScoreRequest& request) const;
  absl::StatusOr<v1::ScoreHistory> GetScoreHistory(const v1::GetScoreHistoryRequest& request) const;
  absl::StatusOr<v1::ScoreDiff> GetScoreDiff(const v1::GetScoreDiffRequest& request) const;

  // The same for a caller: another tenant's asset is NotFound, as if it did not exist.
  // Organisation-wide requests need kReadOrganization, which the caller's role was checked
  // for (see NeedsOrganization).
  absl::StatusOr<v1::AssetScore> GetAssetScore(const Principal& principal,
                                               const v1::GetAssetScoreRequest& request) const;
  absl::StatusOr<v1::ScoreHistory> GetScoreHistory(const Principal& principal,
                                                   const v1::GetScoreHistoryRequest& request) const;
  absl::StatusOr<v1::ScoreDiff> GetScoreDiff(const Principal& principal,
                                             const v1::GetScoreDiffRequest& request) const;

  // Whether a request is about more than one asset (and needs kReadOrganization).
  static bool NeedsOrganization(const v1::GetScoreHistoryRequest& request);
  static bool NeedsOrganization(const v1::GetScoreDiffRequest& request);

 private:
  // A past instant given in `field`: InvalidArgument if it is in the future, before the
  // store began recording, or older than the evidence retention.
  absl::StatusOr<absl::Time> PastInstant(absl::string_view field, int64_t unix_nanos,
                                         bool within_retention) const;
  // The history subject of a request; InvalidArgument or NotFound.
  absl::StatusOr<std::string> Subject(const v1::GetScoreHistoryRequest& request) const;
  // The asset's definitions, for PastScorer; InvalidArgument or NotFound.
  absl::StatusOr<std::vector<AssetDefinition>> AssetDefinitions(absl::string_view asset_id) const;
  absl::StatusOr<v1::AssetScore> AssetScoreAt(const std::vector<AssetDefinition>& definitions,
                                              absl::Time at) const;
  absl::StatusOr<v1::ScoreDiff> AssetDiff(const std::string& asset_id, absl::Time from,
                                          absl::Time to) const;
  absl::StatusOr<v1::ScoreDiff> OrganizationDiff(absl::Time from, absl::Time to) const;

  const PastQueriesSources sources_;
  const PastScorer past_;
  const HistoryReader history_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_PAST_QUERIES_H_
