#include "collector/requests/request_renewal.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "collector/requests/request_book.h"
#include "collector/requests/request_records.h"
#include "collector/requests/request_rules.h"
#include "collector/requests/request_scope.h"

namespace postura::collector {
namespace {

constexpr absl::Duration kMaxDueAhead = absl::Hours(24 * 365 * 5);

}  // namespace

absl::Status CheckRenewable(const v1::EvidenceRequest& request) {
  if (!request.renewed_by_request_id().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "request ", request.id(), " was renewed already by ", request.renewed_by_request_id()));
  }
  if (request.status() == v1::REQUEST_CANCELLED) {
    return absl::FailedPreconditionError(
        absl::StrCat("request ", request.id(), " is cancelled: it has nothing to renew"));
  }
  if (request.status() != v1::REQUEST_COMPLETE) {
    const int approved = static_cast<int>(std::count_if(
        request.outcomes().begin(), request.outcomes().end(),
        [](const v1::OutcomeAnswer& o) { return o.status() == v1::ANSWER_APPROVED; }));
    return absl::FailedPreconditionError(absl::StrCat(
        "request ", request.id(), " is still open (", approved, " of ", request.outcomes_size(),
        " outcomes approved): only a complete request is renewed; answer and review it"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> RenewalDue(const v1::EvidenceRequest& request,
                                      int64_t asked_unix_seconds, absl::Time now) {
  if (asked_unix_seconds != 0) {
    const absl::Time asked = absl::FromUnixSeconds(asked_unix_seconds);
    if (asked <= now || asked > now + kMaxDueAhead) {
      return absl::InvalidArgumentError("due: a date in the next 5 years");
    }
    return asked;
  }
  absl::Time earliest = absl::InfiniteFuture();
  for (const v1::OutcomeAnswer& outcome : request.outcomes()) {
    if (outcome.status() != v1::ANSWER_APPROVED) continue;
    earliest = std::min(earliest, absl::FromUnixNanos(outcome.review().expires_unix_nanos()));
  }
  const absl::Time fallback = now + kRenewalFallbackDue;
  // Whole seconds: the due date is stored in seconds.
  return absl::FromUnixSeconds(absl::ToUnixSeconds(earliest < fallback ? fallback : earliest));
}

v1::EvidenceRequest RenewalOf(const v1::EvidenceRequest& previous,
                              const std::vector<std::string>& assets,
                              const std::string& owner_tenant, absl::Time due,
                              const v1::Actor& actor, absl::Time now) {
  v1::EvidenceRequest renewal;
  renewal.set_title(previous.title());
  renewal.set_scope_kind(previous.scope_kind());
  renewal.set_scope_id(previous.scope_id());
  for (const std::string& asset : assets) renewal.add_asset_ids(asset);
  renewal.set_owner_kind(previous.owner_kind());
  renewal.set_owner_id(previous.owner_id());
  renewal.set_owner_tenant_id(owner_tenant);
  renewal.set_due_unix_seconds(absl::ToUnixSeconds(due));
  renewal.set_validity_seconds(previous.validity_seconds());
  renewal.set_status(v1::REQUEST_OPEN);
  *renewal.mutable_created_by() = actor;
  renewal.set_created_unix_nanos(absl::ToUnixNanos(now));
  renewal.set_renews_request_id(previous.id());
  for (const v1::OutcomeAnswer& before : previous.outcomes()) {
    v1::OutcomeAnswer& outcome = *renewal.add_outcomes();
    outcome.set_outcome_id(before.outcome_id());
    if (before.status() != v1::ANSWER_APPROVED) {
      outcome.set_status(v1::ANSWER_OPEN);
      continue;
    }
    // The submitter stays who it was: four eyes still keeps them from approving it.
    outcome.set_status(v1::ANSWER_SUBMITTED);
    *outcome.mutable_answer() = before.answer();
    outcome.set_answers(1);
  }
  return renewal;
}

absl::StatusOr<v1::EvidenceRequest> RequestBook::Renew(
    const v1::Actor& actor, const v1::RenewEvidenceRequestRequest& renew) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<const v1::EvidenceRequest*> found = Visible(actor, renew.request_id());
  if (!found.ok()) return found.status();
  const v1::EvidenceRequest previous = **found;  // Append below may move it.
  if (absl::Status renewable = CheckRenewable(previous); !renewable.ok()) return renewable;
  const absl::Time now = clock_.TimeNow();
  absl::StatusOr<absl::Time> due = RenewalDue(previous, renew.due_unix_seconds(), now);
  if (!due.ok()) return due.status();
  absl::StatusOr<std::vector<std::string>> assets =
      ScopeAssets(previous.scope_kind(), previous.scope_id(), registry_);
  if (!assets.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("request ", previous.id(), "'s scope is gone: ", assets.status().message()));
  }
  absl::StatusOr<std::string> owner =
      OwnerTenant(previous.owner_kind(), previous.owner_id(), registry_);
  if (!owner.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("request ", previous.id(), "'s owner is gone: ", owner.status().message()));
  }
  v1::RequestEvent event;
  event.set_at_unix_nanos(absl::ToUnixNanos(now));
  *event.mutable_actor() = actor;
  *event.mutable_created() = RenewalOf(previous, *assets, *owner, *due, actor, now);
  const std::string id = RequestIdText(order_.size() + 1);
  event.mutable_created()->set_id(id);
  return Append(id, std::move(event), {}, {});
}

absl::Status RequestBook::WriteWithAudit(std::vector<EvidenceStore::WorkflowWrite> writes,
                                         std::vector<v1::AuditEntry> audit) {
  absl::MutexLock lock(&mu_);
  uint64_t sequence = next_audit_;
  for (v1::AuditEntry& entry : audit) {
    entry.set_sequence(sequence);
    writes.push_back({.family = EvidenceStore::WorkflowFamily::kRequests,
                      .key = AuditKey(sequence++),
                      .value = entry.SerializeAsString(),
                      .erase = false});
  }
  if (absl::Status written = store_.WriteWorkflow(writes); !written.ok()) return written;
  next_audit_ = sequence;
  return absl::OkStatus();
}

std::vector<v1::EvidenceRequest> RequestBook::AllRequests() const {
  const absl::Time now = clock_.TimeNow();
  std::vector<v1::EvidenceRequest> all;
  absl::ReaderMutexLock lock(&mu_);
  all.reserve(order_.size());
  for (const std::string& id : order_) all.push_back(AsSeenAt(requests_.at(id), now));
  return all;
}

}  // namespace postura::collector
