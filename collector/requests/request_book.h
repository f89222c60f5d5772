#ifndef POSTURA_COLLECTOR_REQUESTS_REQUEST_BOOK_H_
#define POSTURA_COLLECTOR_REQUESTS_REQUEST_BOOK_H_

// The evidence-request workflow (docs/requests.md): requests opened by a compliance
// officer, answers with documents from their owner, four-eyes reviews, cancellation, and
// the append-only audit trail of every step, kept in the store's "requests" and
// "documents" families (request_records.h, document_store.h). An approval hands attested
// evidence to an EvidenceSink, which the composition root wires to the ingest writer, so
// the score moves exactly as for an agent's report.
//
// The book checks tenants and the workflow's rules (who owns, who may answer, four eyes,
// states); roles are the gatekeeper's, checked by the service first
// (collector/api/requests_service.h). Thread-safe: one mutex orders every change and its
// write; documents stream in outside it. `store`, `registry`, `catalog` and `clock` are
// borrowed and must outlive the book.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/registry/registry.h"
#include "collector/requests/document_store.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

struct RequestLimits {
  uint64_t max_document_bytes = 20 << 20;           // Per file.
  uint64_t max_request_document_bytes = 100 << 20;  // Distinct documents of one request.
  uint32_t max_detail_bytes = 1024;                 // Of the attested evidence's detail.
};

// Makes approved answers' evidence durable and scored; returns once it is (OK), or why
// not (then the approval is not recorded). Called under the book's lock: must not call
// back into the book.
using EvidenceSink = std::function<absl::Status(std::vector<v1::Evidence>)>;

// An answer being received: its checked header and the documents received so far.
struct AnswerDraft {
  v1::Actor actor;
  v1::SubmitAnswerHeader header;
  uint64_t request_bytes = 0;  // The request's documents when the answer began.
  uint64_t draft_bytes = 0;    // This answer's documents so far.
  std::vector<UploadedDocument> documents;
};

class RequestBook {
 public:
  // Reads every request's events back from the store.
  static absl::StatusOr<std::unique_ptr<RequestBook>> Load(EvidenceStore& store,
                                                           const Registry& registry,
                                                           const Catalog& catalog, Clock& clock,
                                                           const RequestLimits& limits,
                                                           EvidenceSink sink);

  // Opens a request (see requests.proto for the errors).
  absl::StatusOr<v1::EvidenceRequest> Create(const v1::Actor& actor,
                                             const v1::CreateEvidenceRequestRequest& request);
  // The requests `viewer` may see, newest first; closed ones only when asked.
  std::vector<v1::EvidenceRequest> List(const v1::Actor& viewer, bool include_closed) const;
  // NotFound, worded as for an absent one, for a request `viewer` may not see.
  absl::StatusOr<v1::EvidenceRequest> Get(const v1::Actor& viewer,
                                          absl::string_view request_id) const;
  // FailedPrecondition if already cancelled.
  absl::StatusOr<v1::EvidenceRequest> Cancel(const v1::Actor& actor, absl::string_view request_id,
                                             absl::string_view reason);

  // Answering, in three steps: BeginAnswer checks the header (the request exists, is the
  // actor's to answer, is not cancelled, asks for the outcome, which is not approved yet;
  // the level is a DLI; the statement 1 to 4096 bytes of UTF-8); StartDocument receives
  // each file within the caps; CommitAnswer checks again and stores the answer, its new
  // documents and their audit entries in one write. AbandonAnswer drops the received
  // files. Nothing is stored by a draft that is not committed.
  absl::StatusOr<AnswerDraft> BeginAnswer(const v1::Actor& actor,
                                          const v1::SubmitAnswerHeader& header) const;
  std::unique_ptr<DocumentUpload> StartDocument(const AnswerDraft& draft,
                                                absl::string_view file_name);
  absl::StatusOr<v1::EvidenceRequest> CommitAnswer(AnswerDraft& draft);
  void AbandonAnswer(AnswerDraft& draft);

  // Approves or rejects the answer waiting on one outcome. PermissionDenied for the
  // answer's submitter; FailedPrecondition when no answer waits (none yet, approved or
  // rejected already) or the request is cancelled; InvalidArgument for an empty comment.
  // An approval's evidence goes to the sink first: if it fails, nothing is recorded.
  absl::StatusOr<v1::EvidenceRequest> Review(const v1::Actor& actor,
                                             const v1::ReviewAnswerRequest& review);

  // The stored document with this hash, if `viewer` may see it: staff every one, a
  // supplier those attached to its own requests. NotFound otherwise, the same as absent.
  absl::StatusOr<v1::StoredDocument> FindDocument(const v1::Actor& viewer,
                                                  absl::string_view sha256_hex) const;
  // Chunk `index` of `document` (document_store.h).
  absl::StatusOr<std::string> ReadDocumentChunk(const v1::StoredDocument& document,
                                                uint32_t index) const {
    return documents_.ReadChunk(document, index);
  }

  // The caps on documents, changed by a config reload; uploads started before keep theirs.
  void SetLimits(const RequestLimits& limits) ABSL_LOCKS_EXCLUDED(limits_mu_);
  RequestLimits limits() const ABSL_LOCKS_EXCLUDED(limits_mu_);

  // The audit trail from `since`, oldest first, at most `limit` entries.
  absl::StatusOr<std::vector<v1::AuditEntry>> Audit(absl::Time since, size_t limit) const;

  // In request_renewal.cc: Renew (requests.proto, RenewRequest); WriteWithAudit, one write
  // numbering `audit` in the trail, for exception_book.h; AllRequests, as seen now.
  absl::StatusOr<v1::EvidenceRequest> Renew(const v1::Actor& actor,
                                            const v1::RenewEvidenceRequestRequest& renew);
  absl::Status WriteWithAudit(std::vector<EvidenceStore::WorkflowWrite> writes,
                              std::vector<v1::AuditEntry> audit);
  std::vector<v1::EvidenceRequest> AllRequests() const;

 private:
  RequestBook(EvidenceStore& store, const Registry& registry, const Catalog& catalog, Clock& clock,
              const RequestLimits& limits, EvidenceSink sink);
  absl::Status LoadEvents();
  // The request if `viewer` may see it, else NotFound.
  absl::StatusOr<const v1::EvidenceRequest*> Visible(const v1::Actor& viewer,
                                                     absl::string_view request_id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status CheckAnswerable(const v1::Actor& actor, const v1::SubmitAnswerHeader& header,
                               const v1::EvidenceRequest& request) const;
  // Writes `event` with its audit entry (and `extra`), then applies it. Returns the
  // request as it is after.
  absl::StatusOr<v1::EvidenceRequest> Append(const std::string& request_id, v1::RequestEvent event,
                                             std::vector<EvidenceStore::WorkflowWrite> extra,
                                             std::vector<v1::AuditEntry> extra_audit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Apply(const std::string& request_id, const v1::RequestEvent& event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AttachDocuments(const std::string& request_id, const v1::Answer& answer,
                       v1::EvidenceRequest& request) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  EvidenceStore& store_;
  const Registry& registry_;
  const Catalog& catalog_;
  Clock& clock_;
  mutable absl::Mutex limits_mu_;
  RequestLimits limits_ ABSL_GUARDED_BY(limits_mu_);
  const EvidenceSink sink_;
  DocumentStore documents_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, v1::EvidenceRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);  // Request ids, oldest first.
  // Which requests each document is attached to, and each request's documents.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> document_requests_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> request_documents_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_event_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t next_audit_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_REQUEST_BOOK_H_
