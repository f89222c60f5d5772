#ifndef POSTURA_COLLECTOR_API_EXCEPTIONS_SERVICE_H_
#define POSTURA_COLLECTOR_API_EXCEPTIONS_SERVICE_H_

// Risk exceptions over gRPC (postura/v1/exceptions.proto) and HTTPS: every call is
// admitted by the gatekeeper for its permission (creating and revoking kManageRequests,
// the admin's; listing kReadRequests, tenant-scoped by the book; the accepted-risk counts
// kReadOrganization), then the exception book (collector/requests/exception_book.h)
// checks the rest. The HTTPS routes:
//   GET  /api/v1/exceptions[?asset=A]             list (kReadRequests)
//   POST /api/v1/exceptions                       create (kManageRequests; JSON body)
//   POST /api/v1/exceptions/{id}/revoke           revoke ({"reason": ...})
//   GET  /api/v1/exceptions/accepted-risk         the org rollup's counts (kReadOrganization)
// POST routes take the token from the Authorization header only, never the dashboard's
// cookie. Built by the composition root (collector/collector_server.cc).
//
// Thread-safe; everything borrowed must outlive the service and the routes.

#include <vector>

#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/api/score_queries.h"
#include "collector/requests/exception_book.h"
#include "postura/v1/exceptions.grpc.pb.h"

namespace postura::collector {

// The active exceptions and, of those, the ones whose outcome is a gap on its asset now
// (as GetGaps reports gaps): for the organisation, by department and by supplier.
v1::AcceptedRisk AcceptedRiskOf(const ExceptionBook& book, const ScoreQueries& queries);

class ExceptionsService final : public v1::RiskExceptions::CallbackService {
 public:
  ExceptionsService(const Gatekeeper& gate, const CredentialStore& credentials, ExceptionBook& book,
                    const ScoreQueries& queries)
      : gate_(gate), credentials_(credentials), book_(book), queries_(queries) {}

  grpc::ServerUnaryReactor* CreateException(grpc::CallbackServerContext* context,
                                            const v1::CreateRiskExceptionRequest* request,
                                            v1::RiskException* response) override;
  grpc::ServerUnaryReactor* ListExceptions(grpc::CallbackServerContext* context,
                                           const v1::ListRiskExceptionsRequest* request,
                                           v1::ListRiskExceptionsResponse* response) override;
  grpc::ServerUnaryReactor* RevokeException(grpc::CallbackServerContext* context,
                                            const v1::RevokeRiskExceptionRequest* request,
                                            v1::RiskException* response) override;
  grpc::ServerUnaryReactor* GetAcceptedRisk(grpc::CallbackServerContext* context,
                                            const v1::GetAcceptedRiskRequest* request,
                                            v1::AcceptedRisk* response) override;

 private:
  // Finishes a unary call with what `compute(actor)` returns if the call is admitted.
  template <typename Response, typename Compute>
  grpc::ServerUnaryReactor* Admitted(grpc::CallbackServerContext* context, Permission permission,
                                     Response* response, Compute compute);

  const Gatekeeper& gate_;
  const CredentialStore& credentials_;
  ExceptionBook& book_;
  const ScoreQueries& queries_;
};

std::vector<HttpRoute> ExceptionsRoutes(ExceptionBook& book, const ScoreQueries& queries,
                                        const Gatekeeper& gate, const CredentialStore& credentials);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_EXCEPTIONS_SERVICE_H_
