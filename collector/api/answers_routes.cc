#include "collector/api/answers_routes.h"

#include "collector/access/access_policy.h"
#include "collector/api/requests_admit.h"
#include "collector/api/requests_service.h"
#include "collector/requests/answer_history.h"

namespace postura::collector {
namespace {

HttpResponse AnswersOf(const RequestBook& book, const Registry& registry,
                       const EvidenceStore& store, const Catalog& catalog,
                       const Principal& principal, const CredentialStore& credentials,
                       const HttpRequest& request) {
  const std::string asset_id = PathParam(request, "asset_id");
  if (absl::Status visible = CheckAssetVisible(principal, registry, asset_id); !visible.ok()) {
    return ErrorResponse(visible);
  }
  // Only the requests the caller may see: a supplier's or an officer's own.
  absl::StatusOr<v1::AnswerHistory> history =
      ReadAnswerHistory(store, catalog, book.List(ActorOf(principal, credentials), true), asset_id,
                        PathParam(request, "outcome_id"));
  return history.ok() ? JsonResponse(*history) : ErrorResponse(history.status());
}

}  // namespace

std::vector<HttpRoute> AnswersRoutes(const RequestBook& book, const Registry& registry,
                                     const EvidenceStore& store, const Catalog& catalog,
                                     const Gatekeeper& gate, const CredentialStore& credentials) {
  return {HttpRoute{
      "GET", "/api/v1/assets/{asset_id}/outcomes/{outcome_id}/answers",
      [&book, &registry, &store, &catalog, &gate, &credentials](const HttpRequest& request) {
        absl::StatusOr<Principal> principal =
            AdmitPrincipal(request, gate, Permission::kReadRequests);
        if (!principal.ok()) return ErrorResponse(principal.status());
        return AnswersOf(book, registry, store, catalog, *principal, credentials, request);
      }}};
}

}  // namespace postura::collector
