#ifndef POSTURA_COLLECTOR_API_SCORE_QUERIES_H_
#define POSTURA_COLLECTOR_API_SCORE_QUERIES_H_

#include "absl/status/statusor.h"
#include "collector/access/access_policy.h"
#include "collector/registry/registry.h"
#include "collector/scoring/live_scorer.h"
#include "collector/store/evidence_store.h"
#include "common/model/catalog.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// The answers of QueryService (postura/v1/query.proto), shared by gRPC and HTTP: live
// figures from the scorer, names from the registry, evidence from the store. Requests
// are validated here: InvalidArgument or NotFound with a message naming the field.
// Thread-safe. Everything borrowed must outlive this object.
class ScoreQueries {
 public:
  ScoreQueries(const LiveScorer& scorer, const Registry& registry, const EvidenceStore& store,
               const Catalog& catalog)
      : scorer_(scorer), registry_(registry), store_(store), catalog_(catalog) {}

  absl::StatusOr<v1::AssetScore> GetAssetScore(const v1::GetAssetScoreRequest& request) const;
  absl::StatusOr<v1::ListAssetScoresResponse> ListAssetScores(
      const v1::ListAssetScoresRequest& request) const;
  v1::OrganizationScore GetOrganizationScore() const;
  absl::StatusOr<v1::Gaps> GetGaps(const v1::GetGapsRequest& request) const;
  absl::StatusOr<v1::EvidenceHistory> GetEvidenceHistory(
      const v1::GetEvidenceHistoryRequest& request) const;
  // Runs the planner (common/planner.h) on the asset's current levels and targets.
  absl::StatusOr<v1::AssetPlan> PlanAsset(const v1::PlanAssetRequest& request) const;

  // The same answers for a caller: a supplier's lists are narrowed to its own assets and
  // another tenant's asset is NotFound, as if it did not exist (access_policy.h). The
  // caller's role has been checked already.
  absl::StatusOr<v1::AssetScore> GetAssetScore(const Principal& principal,
                                               const v1::GetAssetScoreRequest& request) const;
  absl::StatusOr<v1::ListAssetScoresResponse> ListAssetScores(
      const Principal& principal, v1::ListAssetScoresRequest request) const;
  absl::StatusOr<v1::Gaps> GetGaps(const Principal& principal,
                                   const v1::GetGapsRequest& request) const;
  absl::StatusOr<v1::EvidenceHistory> GetEvidenceHistory(
      const Principal& principal, const v1::GetEvidenceHistoryRequest& request) const;
  absl::StatusOr<v1::AssetPlan> PlanAsset(const Principal& principal,
                                          const v1::PlanAssetRequest& request) const;
  // The filter of a watch the caller may open.
  absl::StatusOr<WatchFilter> ScopedWatchFilter(const Principal& principal,
                                                v1::WatchRequest request) const;

  // An asset's full score from a snapshot and its sources' reports, as of the snapshot's
  // time (live now, or recomputed for a past instant).
  v1::AssetScore AssetScoreFrom(const AssetSnapshot& snapshot,
                                std::vector<v1::SourceState> sources) const;

  // Fills in the names of the departments and suppliers of an organisation's score.
  v1::OrganizationScore NameRollups(v1::OrganizationScore score) const;

  // Fills in the asset's name (watch updates carry ids only).
  void AddName(v1::AssetSummary& summary) const;

 private:
  // `(this->*answer)(request)` if the principal may see request.asset_id(); NotFound as for
  // an absent asset otherwise.
  template <typename Request, typename Answer>
  absl::StatusOr<Answer> IfVisible(const Principal& principal, const Request& request,
                                   absl::StatusOr<Answer> (ScoreQueries::*answer)(const Request&)
                                       const) const {
    if (absl::Status visible = CheckAssetVisible(principal, registry_, request.asset_id());
        !visible.ok()) {
      return visible;
    }
    return (this->*answer)(request);
  }

  void AddTargetResults(const std::vector<Target>& targets, const AssetValues& values,
                        const std::vector<Level>& levels,
                        google::protobuf::RepeatedPtrField<v1::TargetResult>* out) const;
  v1::OutcomeScore OutcomeOf(int outcome, const Cell& cell,
                             const std::vector<v1::SourceState>& sources, int64_t now) const;

  const LiveScorer& scorer_;
  const Registry& registry_;
  const EvidenceStore& store_;
  const Catalog& catalog_;
};

// The largest number of records one evidence history answer holds.
inline constexpr uint32_t kMaxHistoryRecords = 10000;

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_SCORE_QUERIES_H_
