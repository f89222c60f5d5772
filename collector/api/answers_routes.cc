#include "collector/api/answers_routes.h"

#include "collector/access/access_policy.h"
#include "collector/api/requests_admit.h"
#include "collector/api/requests_service.h"

namespace postura::collector {

std::vector<HttpRoute> AnswersRoutes(const RequestBook& book, const Registry& registry,
                                     const Gatekeeper& gate, const CredentialStore& credentials) {
  return {
      HttpRoute{"GET", "/api/v1/assets/{asset_id}/outcomes/{outcome_id}/answers",
                [&book, &registry, &gate, &credentials](const HttpRequest& request) {
                  absl::StatusOr<Principal> principal =
                      AdmitPrincipal(request, gate, Permission::kReadRequests);
                  if (!principal.ok()) return ErrorResponse(principal.status());
                  const std::string asset_id = PathParam(request, "asset_id");
                  if (absl::Status visible = CheckAssetVisible(*principal, registry, asset_id);
                      !visible.ok()) {
                    return ErrorResponse(visible);
                  }
                  absl::StatusOr<v1::AnswerHistory> history = book.AnswerHistory(
                      ActorOf(*principal, credentials), asset_id, PathParam(request, "outcome_id"));
                  return history.ok() ? JsonResponse(*history) : ErrorResponse(history.status());
                }}};
}

}  // namespace postura::collector
