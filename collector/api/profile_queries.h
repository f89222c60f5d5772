// The answers of the Profiles service (postura/v1/profile.proto), shared by gRPC
// (profile_service.h) and HTTP (profile_routes.h): an asset's or the organisation's
// current profile (live levels and function values), target profile (the planner's
// least-work status meeting the targets, or the current one when no plan is needed), the
// gap per function and functional area, and the roadmap (profile_roadmap.h). Built by the
// composition root (collector/collector_server.cc). Thread-safe: it reads snapshots of the
// live scorer and the registry and keeps no state. Everything borrowed must outlive it.
#ifndef POSTURA_COLLECTOR_API_PROFILE_QUERIES_H_
#define POSTURA_COLLECTOR_API_PROFILE_QUERIES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/access/access_policy.h"
#include "collector/api/score_queries.h"
#include "collector/api/tier_queries.h"
#include "collector/registry/registry.h"
#include "collector/scoring/live_scorer.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"
#include "postura/v1/profile.pb.h"

namespace postura::collector {

// The planner's time limit for one asset's target profile.
inline constexpr absl::Duration kProfilePlanTimeLimit = absl::Seconds(20);

class ProfileQueries {
 public:
  // `tiers` (may be null: no tiers in the answer) adds the implementation tiers to the
  // organisation's profile.
  ProfileQueries(const LiveScorer& scorer, const Registry& registry, const ScoreQueries& queries,
                 const TierQueries* tiers, const Catalog& catalog, Clock& clock)
      : scorer_(scorer),
        registry_(registry),
        queries_(queries),
        tiers_(tiers),
        catalog_(catalog),
        clock_(clock) {}

  // The profile of request.asset_id, or with request.organization of every asset the caller
  // may see (ListAssetScores' scoping: a supplier its own, a department officer its
  // department's) with the organisation's rollup, merged roadmap and implementation tiers. The
  // caller's role has been checked already (kReadScores). InvalidArgument when both or neither are
  // set or the id is malformed; NotFound for an asset that is absent or not the caller's to see.
  absl::StatusOr<v1::Profile> GetProfile(const Principal& principal,
                                         const v1::GetProfileRequest& request) const;

 private:
  struct PlannedAsset;

  absl::StatusOr<std::vector<std::string>> AssetIds(const Principal& principal,
                                                    const v1::GetProfileRequest& request) const;
  PlannedAsset PlanFor(AssetSnapshot snapshot) const;
  v1::AssetProfile AssetProfileOf(const PlannedAsset& planned, bool show_department_name) const;
  v1::OrganizationProfile OrganizationOf(const std::vector<PlannedAsset>& planned,
                                         bool show_department_name) const;
  void FillAction(const PlannedAsset& planned, bool show_department_name,
                  v1::RoadmapAction& action) const;

  const LiveScorer& scorer_;
  const Registry& registry_;
  const ScoreQueries& queries_;
  const TierQueries* tiers_;
  const Catalog& catalog_;
  Clock& clock_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_PROFILE_QUERIES_H_
