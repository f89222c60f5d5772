#include "collector/api/requests_service.h"

#include <utility>

#include "absl/synchronization/notification.h"
#include "collector/api/requests_streams.h"
#include "common/transport/grpc_status.h"

namespace postura::collector {

EvidenceSink IngestEvidenceSink(IngestWriter& writer, Clock& clock) {
  return [&writer, &clock](std::vector<v1::Evidence> items) -> absl::Status {
    v1::Batch wire;
    for (v1::Evidence& item : items) *wire.add_items() = std::move(item);
    const std::vector<bool> valid(wire.items_size(), true);
    QueuedBatch batch;
    batch.agent_id = kRequestsSource;
    // The book calls one at a time and waits for each commit: the next sequence is free.
    batch.sequence = writer.Progress(kRequestsSource).last_sequence + 1;
    batch.encoded = EncodeBatch(kRequestsSource, wire, valid, clock.TimeNow());
    absl::Notification done;
    absl::Status result;
    batch.done = [&done, &result](absl::StatusOr<v1::Ack> ack) {
      result = ack.status();
      done.Notify();
    };
    if (!writer.Enqueue(batch, [] {})) {
      return absl::ResourceExhaustedError(
          "the collector's ingest queue is full: the approval was not recorded; try again");
    }
    done.WaitForNotification();
    return result;
  };
}

v1::Actor ActorOf(const Principal& principal, const CredentialStore& credentials) {
  v1::Actor actor;
  actor.set_credential_id(principal.credential_id);
  actor.set_role(principal.role);
  actor.set_tenant_id(principal.tenant_id);
  actor.set_department_id(principal.department_id);
  if (std::optional<v1::Credential> credential = credentials.Find(principal.credential_id)) {
    actor.set_name(credential->name());
  }
  return actor;
}

absl::StatusOr<v1::Actor> RequestsService::Admit(const grpc::CallbackServerContext& context,
                                                 Permission permission) const {
  absl::StatusOr<Principal> principal = gate_.Admit(context, permission);
  if (!principal.ok()) return principal.status();
  return ActorOf(*principal, credentials_);
}

template <typename Response, typename Compute>
grpc::ServerUnaryReactor* RequestsService::Admitted(grpc::CallbackServerContext* context,
                                                    Permission permission, Response* response,
                                                    Compute compute) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<v1::Actor> actor = Admit(*context, permission);
  absl::StatusOr<Response> answer = actor.ok() ? compute(*actor) : actor.status();
  if (answer.ok()) {
    *response = *std::move(answer);
    reactor->Finish(grpc::Status::OK);
  } else {
    reactor->Finish(ToGrpcStatus(answer.status()));
  }
  return reactor;
}

grpc::ServerUnaryReactor* RequestsService::CreateRequest(
    grpc::CallbackServerContext* context, const v1::CreateEvidenceRequestRequest* request,
    v1::EvidenceRequest* response) {
  return Admitted(context, Permission::kManageRequests, response,
                  [&](const v1::Actor& actor) { return book_.Create(actor, *request); });
}

grpc::ServerUnaryReactor* RequestsService::ListRequests(
    grpc::CallbackServerContext* context, const v1::ListEvidenceRequestsRequest* request,
    v1::ListEvidenceRequestsResponse* response) {
  return Admitted(context, Permission::kReadRequests, response,
                  [&](const v1::Actor& actor) -> absl::StatusOr<v1::ListEvidenceRequestsResponse> {
                    v1::ListEvidenceRequestsResponse list;
                    for (v1::EvidenceRequest& seen : book_.List(actor, request->include_closed())) {
                      *list.add_requests() = std::move(seen);
                    }
                    return list;
                  });
}

grpc::ServerUnaryReactor* RequestsService::GetRequest(grpc::CallbackServerContext* context,
                                                      const v1::GetEvidenceRequestRequest* request,
                                                      v1::EvidenceRequest* response) {
  return Admitted(context, Permission::kReadRequests, response,
                  [&](const v1::Actor& actor) { return book_.Get(actor, request->request_id()); });
}

grpc::ServerUnaryReactor* RequestsService::CancelRequest(
    grpc::CallbackServerContext* context, const v1::CancelEvidenceRequestRequest* request,
    v1::EvidenceRequest* response) {
  return Admitted(context, Permission::kManageRequests, response, [&](const v1::Actor& actor) {
    return book_.Cancel(actor, request->request_id(), request->reason());
  });
}

grpc::ServerReadReactor<v1::SubmitAnswerChunk>* RequestsService::SubmitAnswer(
    grpc::CallbackServerContext* context, v1::EvidenceRequest* response) {
  return NewAnswerReader(context, book_, Admit(*context, Permission::kAnswerRequests), response);
}

grpc::ServerUnaryReactor* RequestsService::ReviewAnswer(grpc::CallbackServerContext* context,
                                                        const v1::ReviewAnswerRequest* request,
                                                        v1::EvidenceRequest* response) {
  return Admitted(context, Permission::kReviewRequests, response,
                  [&](const v1::Actor& actor) { return book_.Review(actor, *request); });
}

grpc::ServerWriteReactor<v1::DocumentChunk>* RequestsService::GetDocument(
    grpc::CallbackServerContext* context, const v1::GetDocumentRequest* request) {
  absl::StatusOr<v1::Actor> actor = Admit(*context, Permission::kReadRequests);
  if (!actor.ok()) return NewDocumentWriter(book_, actor.status());
  return NewDocumentWriter(book_, book_.FindDocument(*actor, request->sha256_hex()));
}

grpc::ServerUnaryReactor* RequestsService::ListAudit(grpc::CallbackServerContext* context,
                                                     const v1::ListAuditRequest* request,
                                                     v1::ListAuditResponse* response) {
  return Admitted(context, Permission::kReadAudit, response,
                  [&](const v1::Actor&) -> absl::StatusOr<v1::ListAuditResponse> {
                    absl::StatusOr<std::vector<v1::AuditEntry>> entries = book_.Audit(
                        absl::FromUnixNanos(request->since_unix_nanos()), kMaxAuditEntries);
                    if (!entries.ok()) return entries.status();
                    v1::ListAuditResponse list;
                    for (v1::AuditEntry& entry : *entries) *list.add_entries() = std::move(entry);
                    return list;
                  });
}

grpc::ServerUnaryReactor* RequestsService::RenewRequest(
    grpc::CallbackServerContext* context, const v1::RenewEvidenceRequestRequest* request,
    v1::EvidenceRequest* response) {
  return Admitted(context, Permission::kManageRequests, response,
                  [&](const v1::Actor& actor) { return book_.Renew(actor, *request); });
}

}  // namespace postura::collector
