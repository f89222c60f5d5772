#ifndef POSTURA_COLLECTOR_API_REQUESTS_SERVICE_H_
#define POSTURA_COLLECTOR_API_REQUESTS_SERVICE_H_

// Evidence requests over gRPC (postura/v1/requests.proto): every call is admitted by the
// gatekeeper for its permission (kManageRequests, kAnswerRequests, kReviewRequests,
// kReadRequests, kReadAudit), then the request book (collector/requests/request_book.h)
// checks tenants, ownership, four eyes and the workflow's states. Answers stream their
// documents in (SubmitAnswer), documents stream out (GetDocument); the reactors are in
// requests_streams.h. Built by the composition root (collector/collector_server.cc).
//
// Thread-safe; everything borrowed must outlive the service.

#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "collector/ingest/ingest_writer.h"
#include "collector/requests/request_book.h"
#include "common/base/clock.h"
#include "postura/v1/requests.grpc.pb.h"

namespace postura::collector {

// The source id under which approved answers' evidence is stored and scored. Agents' ids
// cannot contain ':', so it never collides with an agent's.
inline constexpr char kRequestsSource[] = "requests:review";

// An EvidenceSink that writes approved answers' evidence through `writer`, as one batch of
// kRequestsSource, and returns once it is durable (so the score has moved), or
// ResourceExhausted when the writer's queue is full. `writer` and `clock` are borrowed.
EvidenceSink IngestEvidenceSink(IngestWriter& writer, Clock& clock);

// ListAudit answers at most this many entries (ask again from the last one's time).
inline constexpr size_t kMaxAuditEntries = 10000;

// Who the principal is, for the book and the audit trail: its credential's id, name, role
// and tenant.
v1::Actor ActorOf(const Principal& principal, const CredentialStore& credentials);

class RequestsService final : public v1::EvidenceRequests::CallbackService {
 public:
  RequestsService(const Gatekeeper& gate, const CredentialStore& credentials, RequestBook& book)
      : gate_(gate), credentials_(credentials), book_(book) {}

  grpc::ServerUnaryReactor* CreateRequest(grpc::CallbackServerContext* context,
                                          const v1::CreateEvidenceRequestRequest* request,
                                          v1::EvidenceRequest* response) override;
  grpc::ServerUnaryReactor* ListRequests(grpc::CallbackServerContext* context,
                                         const v1::ListEvidenceRequestsRequest* request,
                                         v1::ListEvidenceRequestsResponse* response) override;
  grpc::ServerUnaryReactor* GetRequest(grpc::CallbackServerContext* context,
                                       const v1::GetEvidenceRequestRequest* request,
                                       v1::EvidenceRequest* response) override;
  grpc::ServerUnaryReactor* CancelRequest(grpc::CallbackServerContext* context,
                                          const v1::CancelEvidenceRequestRequest* request,
                                          v1::EvidenceRequest* response) override;
  grpc::ServerReadReactor<v1::SubmitAnswerChunk>* SubmitAnswer(
      grpc::CallbackServerContext* context, v1::EvidenceRequest* response) override;
  grpc::ServerUnaryReactor* ReviewAnswer(grpc::CallbackServerContext* context,
                                         const v1::ReviewAnswerRequest* request,
                                         v1::EvidenceRequest* response) override;
  grpc::ServerWriteReactor<v1::DocumentChunk>* GetDocument(
      grpc::CallbackServerContext* context, const v1::GetDocumentRequest* request) override;
  grpc::ServerUnaryReactor* ListAudit(grpc::CallbackServerContext* context,
                                      const v1::ListAuditRequest* request,
                                      v1::ListAuditResponse* response) override;
  grpc::ServerUnaryReactor* RenewRequest(grpc::CallbackServerContext* context,
                                         const v1::RenewEvidenceRequestRequest* request,
                                         v1::EvidenceRequest* response) override;

 private:
  // Finishes a unary call with what `compute(actor)` returns if the call is admitted.
  template <typename Response, typename Compute>
  grpc::ServerUnaryReactor* Admitted(grpc::CallbackServerContext* context, Permission permission,
                                     Response* response, Compute compute);
  // The caller as an actor, if admitted for `permission`.
  absl::StatusOr<v1::Actor> Admit(const grpc::CallbackServerContext& context,
                                  Permission permission) const;

  const Gatekeeper& gate_;
  const CredentialStore& credentials_;
  RequestBook& book_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_REQUESTS_SERVICE_H_
