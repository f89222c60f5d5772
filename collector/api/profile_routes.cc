#include "collector/api/profile_routes.h"

#include <string>

#include "collector/api/http_admit.h"

namespace postura::collector {
namespace {

HttpResponse Answer(const ProfileQueries& profiles, const Gatekeeper& gate,
                    const HttpRequest& request, const v1::GetProfileRequest& query) {
  absl::StatusOr<Principal> principal = AdmitPrincipal(request, gate, Permission::kReadScores);
  if (!principal.ok()) return ErrorResponse(principal.status());
  absl::StatusOr<v1::Profile> profile = profiles.GetProfile(*principal, query);
  return profile.ok() ? JsonResponse(*profile) : ErrorResponse(profile.status());
}

}  // namespace

std::vector<HttpRoute> ProfileRoutes(const ProfileQueries& profiles, const Gatekeeper& gate) {
  return {{"GET", "/api/v1/assets/{asset_id}/profile",
           [&profiles, &gate](const HttpRequest& request) {
             v1::GetProfileRequest query;
             query.set_asset_id(request.path_params.at("asset_id"));
             return Answer(profiles, gate, request, query);
           }},
          {"GET", "/api/v1/profile", [&profiles, &gate](const HttpRequest& request) {
             v1::GetProfileRequest query;
             query.set_organization(true);
             return Answer(profiles, gate, request, query);
           }}};
}

}  // namespace postura::collector
