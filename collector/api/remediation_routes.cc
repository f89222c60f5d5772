#include "collector/api/remediation_routes.h"

#include <string>

#include "collector/api/http_admit.h"
#include "collector/api/past_routes.h"

namespace postura::collector {
namespace {

HttpResponse Remediation(const RemediationQueries& remediation, const Gatekeeper& gate,
                         const HttpRequest& request) {
  absl::StatusOr<Principal> principal = AdmitPrincipal(request, gate, Permission::kReadScores);
  if (!principal.ok()) return ErrorResponse(principal.status());
  v1::GetRemediationRequest query;
  query.set_by(QueryParam(request, "by"));
  absl::StatusOr<int64_t> since = TimeParam(request, "since");
  if (!since.ok()) return ErrorResponse(since.status());
  absl::StatusOr<int64_t> until = TimeParam(request, "until");
  if (!until.ok()) return ErrorResponse(until.status());
  query.set_since_unix_nanos(*since);
  query.set_until_unix_nanos(*until);
  absl::StatusOr<v1::Remediation> answer = remediation.GetRemediation(*principal, query);
  return answer.ok() ? JsonResponse(*answer) : ErrorResponse(answer.status());
}

}  // namespace

std::vector<HttpRoute> RemediationRoutes(const RemediationQueries& remediation,
                                         const Gatekeeper& gate) {
  return {{"GET", "/api/v1/remediation", [&remediation, &gate](const HttpRequest& request) {
             return Remediation(remediation, gate, request);
           }}};
}

}  // namespace postura::collector
