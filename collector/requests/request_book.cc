#include "collector/requests/request_book.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "collector/requests/request_records.h"
#include "collector/requests/request_rules.h"
#include "collector/requests/request_scope.h"
#include "common/base/utf8.h"

namespace postura::collector {
namespace {

using Family = EvidenceStore::WorkflowFamily;

constexpr absl::Duration kDefaultValidity = absl::Hours(24 * 365);
constexpr absl::Duration kMinValidity = absl::Hours(24);
constexpr absl::Duration kMaxValidity = absl::Hours(24 * 365 * 5);

}  // namespace

RequestBook::RequestBook(EvidenceStore& store, const Registry& registry, const Catalog& catalog,
                         Clock& clock, const RequestLimits& limits, EvidenceSink sink)
    : store_(store),
      registry_(registry),
      catalog_(catalog),
      clock_(clock),
      limits_(limits),
      sink_(std::move(sink)),
      documents_(store, clock) {}

absl::StatusOr<std::unique_ptr<RequestBook>> RequestBook::Load(EvidenceStore& store,
                                                               const Registry& registry,
                                                               const Catalog& catalog, Clock& clock,
                                                               const RequestLimits& limits,
                                                               EvidenceSink sink) {
  std::unique_ptr<RequestBook> book(
      new RequestBook(store, registry, catalog, clock, limits, std::move(sink)));
  if (absl::Status loaded = book->LoadEvents(); !loaded.ok()) return loaded;
  return book;
}

absl::Status RequestBook::LoadEvents() {
  absl::MutexLock lock(&mu_);
  // Events are keyed by request, then sequence: a request's events come in order.
  absl::Status corrupt;
  absl::Status scanned = store_.ScanWorkflow(
      Family::kRequests, kEventPrefix,
      [&](absl::string_view key, absl::string_view value) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        v1::RequestEvent event;
        if (!event.ParseFromString(std::string(value))) {
          corrupt = absl::DataLossError("an evidence request's event record is corrupt");
          return false;
        }
        const absl::string_view rest = key.substr(kEventPrefix.size());
        Apply(std::string(rest.substr(0, rest.rfind('/'))), event);
        next_event_ = std::max(next_event_, event.sequence() + 1);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!corrupt.ok()) return corrupt;
  std::sort(order_.begin(), order_.end());  // Ids number requests in order of creation.
  // The audit trail's last key holds its highest sequence.
  return store_.ScanWorkflow(Family::kRequests, kAuditPrefix,
                             [&](absl::string_view key, absl::string_view) {
                               next_audit_ = std::max(next_audit_, SequenceOfKey(key) + 1);
                               return true;
                             });
}

void RequestBook::Apply(const std::string& request_id, const v1::RequestEvent& event) {
  if (event.has_created()) order_.push_back(request_id);
  v1::EvidenceRequest& request = requests_[request_id];
  ApplyEvent(event, request);
  if (event.has_created()) {
    auto renewed = requests_.find(event.created().renews_request_id());
    if (renewed != requests_.end()) renewed->second.set_renewed_by_request_id(request_id);
  }
  // A renewal's pre-filled answers bring their documents with them.
  std::vector<const v1::Answer*> answers;
  if (event.has_answered()) answers.push_back(&event.answered());
  for (const v1::OutcomeAnswer& outcome : event.created().outcomes()) {
    if (outcome.has_answer()) answers.push_back(&outcome.answer());
  }
  for (const v1::Answer* answer : answers) AttachDocuments(request_id, *answer, request);
}

void RequestBook::AttachDocuments(const std::string& request_id, const v1::Answer& answer,
                                  v1::EvidenceRequest& request) {
  for (const v1::DocumentRef& document : answer.documents()) {
    if (request_documents_[request_id].insert(document.sha256_hex()).second) {
      request.set_document_bytes(request.document_bytes() + document.size_bytes());
    }
    document_requests_[document.sha256_hex()].insert(request_id);
  }
}

absl::StatusOr<v1::EvidenceRequest> RequestBook::Append(
    const std::string& request_id, v1::RequestEvent event,
    std::vector<EvidenceStore::WorkflowWrite> extra, std::vector<v1::AuditEntry> extra_audit) {
  event.set_sequence(next_event_);
  const std::string record = event.SerializeAsString();
  std::vector<EvidenceStore::WorkflowWrite> writes = std::move(extra);
  writes.push_back({.family = Family::kRequests,
                    .key = EventKey(request_id, event.sequence()),
                    .value = record,
                    .erase = false});
  uint64_t audit = next_audit_;
  extra_audit.insert(extra_audit.begin(), AuditOf(event, request_id, record));
  for (v1::AuditEntry& entry : extra_audit) {
    entry.set_sequence(audit);
    writes.push_back({.family = Family::kRequests,
                      .key = AuditKey(audit++),
                      .value = entry.SerializeAsString(),
                      .erase = false});
  }
  if (absl::Status written = store_.WriteWorkflow(writes); !written.ok()) return written;
  ++next_event_;
  next_audit_ = audit;
  Apply(request_id, event);
  return AsSeenAt(requests_[request_id], clock_.TimeNow());
}

absl::StatusOr<v1::EvidenceRequest> RequestBook::Create(
    const v1::Actor& actor, const v1::CreateEvidenceRequestRequest& asked) {
  if (absl::Status title = CheckText("title", asked.title()); !title.ok()) return title;
  absl::StatusOr<std::vector<std::string>> outcomes = SelectOutcomes(asked.outcomes(), catalog_);
  if (!outcomes.ok()) return outcomes.status();
  absl::StatusOr<std::vector<std::string>> assets =
      ScopeAssets(asked.scope_kind(), asked.scope_id(), registry_);
  if (!assets.ok()) return assets.status();
  absl::StatusOr<std::string> owner = OwnerTenant(asked.owner_kind(), asked.owner_id(), registry_);
  if (!owner.ok()) return owner.status();
  const absl::Time now = clock_.TimeNow();
  const absl::Time due = absl::FromUnixSeconds(asked.due_unix_seconds());
  if (due <= now || due > now + kMaxValidity) {
    return absl::InvalidArgumentError("due: a date in the next 5 years");
  }
  const absl::Duration validity =
      asked.validity_seconds() == 0 ? kDefaultValidity : absl::Seconds(asked.validity_seconds());
  if (validity < kMinValidity || validity > kMaxValidity) {
    return absl::InvalidArgumentError("validity: between 1 day and 5 years (default 365 days)");
  }
  v1::RequestEvent event;
  event.set_at_unix_nanos(absl::ToUnixNanos(now));
  *event.mutable_actor() = actor;
  v1::EvidenceRequest& created = *event.mutable_created();
  created.set_title(asked.title());
  created.set_scope_kind(asked.scope_kind());
  created.set_scope_id(asked.scope_id());
  for (const std::string& asset : *assets) created.add_asset_ids(asset);
  created.set_owner_kind(asked.owner_kind());
  created.set_owner_id(asked.owner_id());
  created.set_owner_tenant_id(*owner);
  created.set_due_unix_seconds(asked.due_unix_seconds());
  created.set_validity_seconds(absl::ToInt64Seconds(validity));
  created.set_status(v1::REQUEST_OPEN);
  *created.mutable_created_by() = actor;
  created.set_created_unix_nanos(event.at_unix_nanos());
  for (const std::string& outcome : *outcomes) {
    v1::OutcomeAnswer& answer = *created.add_outcomes();
    answer.set_outcome_id(outcome);
    answer.set_status(v1::ANSWER_OPEN);
  }
  absl::MutexLock lock(&mu_);
  created.set_id(RequestIdText(order_.size() + 1));
  const std::string id = created.id();
  return Append(id, std::move(event), {}, {});
}

std::vector<v1::EvidenceRequest> RequestBook::List(const v1::Actor& viewer,
                                                   bool include_closed) const {
  const absl::Time now = clock_.TimeNow();
  std::vector<v1::EvidenceRequest> seen;
  absl::ReaderMutexLock lock(&mu_);
  for (auto id = order_.rbegin(); id != order_.rend(); ++id) {
    const v1::EvidenceRequest& request = requests_.at(*id);
    if (!MaySee(viewer, request)) continue;
    if (!include_closed && request.status() != v1::REQUEST_OPEN) continue;
    seen.push_back(AsSeenAt(request, now));
  }
  return seen;
}

absl::StatusOr<const v1::EvidenceRequest*> RequestBook::Visible(
    const v1::Actor& viewer, absl::string_view request_id) const {
  auto found = requests_.find(request_id);
  if (found == requests_.end() || !MaySee(viewer, found->second)) {
    return absl::NotFoundError(absl::StrCat("no evidence request ", Quoted(request_id)));
  }
  return &found->second;
}

absl::StatusOr<v1::EvidenceRequest> RequestBook::Get(const v1::Actor& viewer,
                                                     absl::string_view request_id) const {
  absl::ReaderMutexLock lock(&mu_);
  absl::StatusOr<const v1::EvidenceRequest*> request = Visible(viewer, request_id);
  if (!request.ok()) return request.status();
  return AsSeenAt(**request, clock_.TimeNow());
}

absl::StatusOr<v1::EvidenceRequest> RequestBook::Cancel(const v1::Actor& actor,
                                                        absl::string_view request_id,
                                                        absl::string_view reason) {
  if (reason.size() > 1024 || !IsValidUtf8(reason)) {
    return absl::InvalidArgumentError("reason: at most 1024 bytes of UTF-8 text");
  }
  absl::MutexLock lock(&mu_);
  absl::StatusOr<const v1::EvidenceRequest*> request = Visible(actor, request_id);
  if (!request.ok()) return request.status();
  if ((*request)->status() == v1::REQUEST_CANCELLED) {
    return absl::FailedPreconditionError(
        absl::StrCat("request ", (*request)->id(), " is cancelled already"));
  }
  v1::RequestEvent event;
  event.set_at_unix_nanos(absl::ToUnixNanos(clock_.TimeNow()));
  *event.mutable_actor() = actor;
  event.set_cancelled(true);
  event.set_reason(std::string(reason));
  return Append(std::string(request_id), std::move(event), {}, {});
}

absl::Status RequestBook::CheckAnswerable(const v1::Actor& actor,
                                          const v1::SubmitAnswerHeader& header,
                                          const v1::EvidenceRequest& request) const {
  if (absl::Status owner = CheckOwner(actor, request); !owner.ok()) return owner;
  if (absl::Status open = CheckNotCancelled(request); !open.ok()) return open;
  absl::StatusOr<const v1::OutcomeAnswer*> outcome =
      AskedOutcome(request, header.outcome_id(), catalog_);
  if (!outcome.ok()) return outcome.status();
  if ((*outcome)->status() == v1::ANSWER_APPROVED) {
    return absl::FailedPreconditionError(absl::StrCat("outcome ", header.outcome_id(), " of ",
                                                      request.id(), " is approved already"));
  }
  if (!IsDli(header.level())) {
    return absl::InvalidArgumentError("level: one of the DLI levels 0, 0.33, 0.67 or 1");
  }
  return CheckText("statement", header.statement());
}

absl::StatusOr<AnswerDraft> RequestBook::BeginAnswer(const v1::Actor& actor,
                                                     const v1::SubmitAnswerHeader& header) const {
  absl::ReaderMutexLock lock(&mu_);
  absl::StatusOr<const v1::EvidenceRequest*> request = Visible(actor, header.request_id());
  if (!request.ok()) return request.status();
  if (absl::Status ok = CheckAnswerable(actor, header, **request); !ok.ok()) return ok;
  AnswerDraft draft;
  draft.actor = actor;
  draft.header = header;
  draft.request_bytes = (*request)->document_bytes();
  return draft;
}

std::unique_ptr<DocumentUpload> RequestBook::StartDocument(const AnswerDraft& draft,
                                                           absl::string_view file_name) {
  const RequestLimits caps = limits();
  const uint64_t used = draft.request_bytes + draft.draft_bytes;
  const uint64_t request_left =
      used >= caps.max_request_document_bytes ? 0 : caps.max_request_document_bytes - used;
  if (request_left < caps.max_document_bytes) {
    return documents_.StartUpload(
        file_name, request_left,
        absl::StrCat("what is left of the request's cap of ", caps.max_request_document_bytes,
                     " bytes of documents (", request_left, " bytes)"));
  }
  return documents_.StartUpload(
      file_name, caps.max_document_bytes,
      absl::StrCat("the collector's per-file cap of ", caps.max_document_bytes, " bytes"));
}

void RequestBook::SetLimits(const RequestLimits& limits) {
  absl::MutexLock lock(&limits_mu_);
  limits_ = limits;
}

RequestLimits RequestBook::limits() const {
  absl::MutexLock lock(&limits_mu_);
  return limits_;
}

void RequestBook::AbandonAnswer(AnswerDraft& draft) {
  std::vector<EvidenceStore::WorkflowWrite> erase;
  for (const UploadedDocument& document : draft.documents) {
    for (auto& write : DocumentStore::CommitWrites(document, /*already=*/true)) {
      erase.push_back(std::move(write));
    }
  }
  draft.documents.clear();
  if (!erase.empty()) store_.WriteWorkflow(erase).IgnoreError();
}

absl::StatusOr<v1::EvidenceRequest> RequestBook::CommitAnswer(AnswerDraft& draft) {
  const absl::Time now = clock_.TimeNow();
  v1::RequestEvent event;
  event.set_at_unix_nanos(absl::ToUnixNanos(now));
  *event.mutable_actor() = draft.actor;
  event.set_outcome_id(draft.header.outcome_id());
  v1::Answer& answer = *event.mutable_answered();
  answer.set_level(draft.header.level());
  answer.set_statement(draft.header.statement());
  *answer.mutable_submitted_by() = draft.actor;
  answer.set_submitted_unix_nanos(event.at_unix_nanos());
  absl::MutexLock lock(&mu_);
  absl::StatusOr<const v1::EvidenceRequest*> request =
      Visible(draft.actor, draft.header.request_id());
  absl::Status answerable =
      request.ok() ? CheckAnswerable(draft.actor, draft.header, **request) : request.status();
  if (!answerable.ok()) {
    AbandonAnswer(draft);
    return answerable;
  }
  std::vector<EvidenceStore::WorkflowWrite> writes;
  std::vector<v1::AuditEntry> audit;
  absl::flat_hash_set<std::string> in_this_answer;
  for (const UploadedDocument& document : draft.documents) {
    *answer.add_documents() = document.ref;
    const std::string& sha = document.ref.sha256_hex();
    // Stored already (or twice in this answer): keep one copy, drop this upload's chunks.
    absl::StatusOr<std::optional<v1::StoredDocument>> stored = documents_.Find(sha);
    if (!stored.ok()) {
      AbandonAnswer(draft);
      return stored.status();
    }
    const bool already = stored->has_value() || !in_this_answer.insert(sha).second;
    for (auto& write : DocumentStore::CommitWrites(document, already)) {
      writes.push_back(std::move(write));
    }
    v1::AuditEntry stored_entry;
    stored_entry.set_at_unix_nanos(event.at_unix_nanos());
    *stored_entry.mutable_actor() = draft.actor;
    stored_entry.set_action("document.store");
    stored_entry.set_request_id(draft.header.request_id());
    stored_entry.set_outcome_id(draft.header.outcome_id());
    stored_entry.set_content_sha256_hex(sha);
    stored_entry.set_detail(absl::StrCat(document.ref.media_type(), ", ", document.ref.size_bytes(),
                                         " bytes", already ? ", stored already" : ""));
    audit.push_back(std::move(stored_entry));
  }
  absl::StatusOr<v1::EvidenceRequest> after =
      Append(draft.header.request_id(), std::move(event), std::move(writes), std::move(audit));
  if (!after.ok()) AbandonAnswer(draft);
  draft.documents.clear();
  return after;
}

absl::StatusOr<v1::EvidenceRequest> RequestBook::Review(const v1::Actor& actor,
                                                        const v1::ReviewAnswerRequest& review) {
  if (absl::Status comment = CheckText("comment", review.comment()); !comment.ok()) return comment;
  absl::MutexLock lock(&mu_);
  absl::StatusOr<const v1::EvidenceRequest*> request = Visible(actor, review.request_id());
  if (!request.ok()) return request.status();
  if (absl::Status open = CheckNotCancelled(**request); !open.ok()) return open;
  absl::StatusOr<const v1::OutcomeAnswer*> outcome =
      AskedOutcome(**request, review.outcome_id(), catalog_);
  if (!outcome.ok()) return outcome.status();
  if ((*outcome)->status() != v1::ANSWER_SUBMITTED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "outcome ", review.outcome_id(), " of ", (*request)->id(),
        (*outcome)->status() == v1::ANSWER_APPROVED   ? " is approved already"
        : (*outcome)->status() == v1::ANSWER_REJECTED ? " was rejected: it waits for a new answer"
                                                      : " has no answer to review"));
  }
  if ((*outcome)->answer().submitted_by().credential_id() == actor.credential_id()) {
    return absl::PermissionDeniedError(
        "four eyes: the one who submitted an answer may not review it");
  }
  const absl::Time now = clock_.TimeNow();
  v1::RequestEvent event;
  event.set_at_unix_nanos(absl::ToUnixNanos(now));
  *event.mutable_actor() = actor;
  event.set_outcome_id(review.outcome_id());
  v1::Review& reviewed = *event.mutable_reviewed();
  reviewed.set_approved(review.approve());
  reviewed.set_comment(review.comment());
  *reviewed.mutable_reviewed_by() = actor;
  reviewed.set_reviewed_unix_nanos(event.at_unix_nanos());
  if (review.approve()) {
    reviewed.set_expires_unix_nanos(
        absl::ToUnixNanos(now + absl::Seconds((*request)->validity_seconds())));
    std::vector<v1::Evidence> evidence = ApprovedEvidence(
        **request, **outcome, actor, now, limits().max_detail_bytes,
        [this](const std::string& asset) { return registry_.FindAsset(asset).has_value(); });
    if (!evidence.empty()) {
      if (absl::Status scored = sink_(std::move(evidence)); !scored.ok()) return scored;
    }
  }
  return Append(review.request_id(), std::move(event), {}, {});
}

absl::StatusOr<v1::StoredDocument> RequestBook::FindDocument(const v1::Actor& viewer,
                                                             absl::string_view sha256_hex) const {
  const absl::Status absent = absl::NotFoundError(absl::StrCat("no document ", Quoted(sha256_hex)));
  if (!IsSha256Hex(sha256_hex)) {
    return absl::InvalidArgumentError("sha256: 64 lower-case hex characters");
  }
  {
    absl::ReaderMutexLock lock(&mu_);
    auto attached = document_requests_.find(sha256_hex);
    if (attached == document_requests_.end()) return absent;
    const bool visible = std::any_of(attached->second.begin(), attached->second.end(),
                                     [&](const std::string& id) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                       return MaySee(viewer, requests_.at(id));
                                     });
    if (!visible) return absent;
  }
  absl::StatusOr<std::optional<v1::StoredDocument>> document = documents_.Find(sha256_hex);
  if (!document.ok()) return document.status();
  if (!document->has_value()) return absent;
  return **document;
}

absl::StatusOr<std::vector<v1::AuditEntry>> RequestBook::Audit(absl::Time since,
                                                               size_t limit) const {
  std::vector<v1::AuditEntry> entries;
  absl::Status corrupt;
  const int64_t from = absl::ToUnixNanos(since);
  absl::Status scanned = store_.ScanWorkflow(
      Family::kRequests, kAuditPrefix, [&](absl::string_view, absl::string_view value) {
        v1::AuditEntry entry;
        if (!entry.ParseFromString(std::string(value))) {
          corrupt = absl::DataLossError("an audit record is corrupt");
          return false;
        }
        if (entry.at_unix_nanos() >= from) entries.push_back(std::move(entry));
        return entries.size() < limit;
      });
  if (!scanned.ok()) return scanned;
  if (!corrupt.ok()) return corrupt;
  return entries;
}

}  // namespace postura::collector
