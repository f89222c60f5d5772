#include "collector/requests/exception_book.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collector/requests/request_records.h"
#include "collector/requests/request_rules.h"
#include "common/base/utf8.h"

namespace postura::collector {
namespace {

constexpr absl::string_view kExceptionPrefix = "exception/";
constexpr size_t kMaxRequesterBytes = 256;
constexpr size_t kMaxRevokeReasonBytes = 1024;

std::string ExceptionEventKey(absl::string_view exception_id, uint64_t sequence) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, sequence >>= 8) bytes[i] = static_cast<char>(sequence & 0xFF);
  return absl::StrCat(kExceptionPrefix, exception_id, "/", bytes);
}

bool IsStaff(const v1::Actor& actor) {
  return actor.role() == v1::ROLE_ADMIN || actor.role() == v1::ROLE_OPERATOR ||
         actor.role() == v1::ROLE_AUDITOR;
}

absl::Status NoException(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("no exception ", Quoted(id)));
}

// The audit entry of one step: its action, exception, outcome, record hash and summary.
v1::AuditEntry AuditOfException(const v1::RiskExceptionEvent& event,
                                const v1::RiskException& exception, absl::string_view record) {
  v1::AuditEntry entry;
  entry.set_at_unix_nanos(event.at_unix_nanos());
  *entry.mutable_actor() = event.actor();
  entry.set_exception_id(exception.id());
  entry.set_outcome_id(exception.outcome_id());
  entry.set_content_sha256_hex(Sha256Hex(record));
  if (event.revoked()) {
    entry.set_action("exception.revoke");
    entry.set_detail(
        ValidUtf8Prefix(absl::StrCat("asset ", exception.asset_id(), ": ", event.reason()), 200));
  } else {
    entry.set_action("exception.create");
    entry.set_detail(ValidUtf8Prefix(
        absl::StrCat("asset ", exception.asset_id(), " until ",
                     absl::FormatTime(absl::RFC3339_sec,
                                      absl::FromUnixSeconds(exception.until_unix_seconds()),
                                      absl::UTCTimeZone()),
                     ": ", exception.reason()),
        200));
  }
  return entry;
}

}  // namespace

std::string ExceptionIdText(uint64_t number) { return absl::StrFormat("EXC-%06d", number); }

v1::RiskException ExceptionAsSeenAt(const v1::RiskException& exception, absl::Time now) {
  v1::RiskException seen = exception;
  if (exception.revoked_unix_nanos() != 0) {
    seen.set_status(v1::RISK_EXCEPTION_REVOKED);
  } else if (absl::FromUnixSeconds(exception.until_unix_seconds()) <= now) {
    seen.set_status(v1::RISK_EXCEPTION_EXPIRED);
  } else {
    seen.set_status(v1::RISK_EXCEPTION_ACTIVE);
  }
  return seen;
}

bool MaySeeException(const v1::Actor& viewer, const v1::RiskException& exception) {
  if (IsStaff(viewer)) return true;
  if (viewer.role() == v1::ROLE_SUPPLIER) {
    return !exception.supplier_id().empty() && viewer.tenant_id() == exception.supplier_id();
  }
  if (viewer.role() == v1::ROLE_DEPARTMENT) {
    return !exception.department_id().empty() &&
           viewer.department_id() == exception.department_id();
  }
  return false;
}

absl::StatusOr<std::unique_ptr<ExceptionBook>> ExceptionBook::Load(EvidenceStore& store,
                                                                   const Registry& registry,
                                                                   const Catalog& catalog,
                                                                   Clock& clock,
                                                                   RequestBook& audit) {
  std::unique_ptr<ExceptionBook> book(new ExceptionBook(store, registry, catalog, clock, audit));
  if (absl::Status loaded = book->LoadEvents(); !loaded.ok()) return loaded;
  return book;
}

absl::Status ExceptionBook::LoadEvents() {
  absl::MutexLock lock(&mu_);
  absl::Status corrupt;
  absl::Status scanned = store_.ScanWorkflow(
      EvidenceStore::WorkflowFamily::kRequests, kExceptionPrefix,
      [&](absl::string_view, absl::string_view value) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        v1::RiskExceptionEvent event;
        if (!event.ParseFromString(std::string(value))) {
          corrupt = absl::DataLossError("a risk exception's event record is corrupt");
          return false;
        }
        Apply(event);
        next_event_ = std::max(next_event_, event.sequence() + 1);
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (!corrupt.ok()) return corrupt;
  std::sort(order_.begin(), order_.end());  // Ids number exceptions in order of creation.
  return absl::OkStatus();
}

void ExceptionBook::Apply(const v1::RiskExceptionEvent& event) {
  if (event.has_created()) {
    order_.push_back(event.created().id());
    exceptions_[event.created().id()] = event.created();
    return;
  }
  auto found = exceptions_.find(event.exception_id());
  if (!event.revoked() || found == exceptions_.end()) return;
  *found->second.mutable_revoked_by() = event.actor();
  found->second.set_revoked_unix_nanos(event.at_unix_nanos());
  found->second.set_revoke_reason(event.reason());
}

absl::StatusOr<v1::RiskException> ExceptionBook::Append(const std::string& exception_id,
                                                        v1::RiskExceptionEvent event) {
  event.set_sequence(next_event_);
  const std::string record = event.SerializeAsString();
  const v1::RiskException subject =
      event.has_created() ? event.created() : exceptions_.at(exception_id);
  absl::Status written =
      audit_.WriteWithAudit({{.family = EvidenceStore::WorkflowFamily::kRequests,
                              .key = ExceptionEventKey(exception_id, event.sequence()),
                              .value = record,
                              .erase = false}},
                            {AuditOfException(event, subject, record)});
  if (!written.ok()) return written;
  ++next_event_;
  Apply(event);
  return ExceptionAsSeenAt(exceptions_.at(exception_id), clock_.TimeNow());
}

absl::Status ExceptionBook::CheckCreate(const v1::Actor& actor,
                                        const v1::CreateRiskExceptionRequest& request,
                                        absl::Time now) const {
  if (!registry_.FindAsset(request.asset_id())) {
    return absl::InvalidArgumentError(absl::StrCat("asset: no asset ", Quoted(request.asset_id())));
  }
  if (!catalog_.FindOutcome(request.outcome_id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome: no outcome ", Quoted(request.outcome_id()), " in the catalog"));
  }
  if (absl::Status reason = CheckText("reason", request.reason()); !reason.ok()) return reason;
  const absl::Time until = absl::FromUnixSeconds(request.until_unix_seconds());
  if (until <= now || until > now + kMaxExceptionLength) {
    return absl::InvalidArgumentError("until: an end date after now and at most 3 years ahead");
  }
  if (request.requested_by().size() > kMaxRequesterBytes || !IsValidUtf8(request.requested_by())) {
    return absl::InvalidArgumentError("requested_by: at most 256 bytes of UTF-8 text");
  }
  if (!request.requested_by().empty() &&
      (request.requested_by() == actor.name() || request.requested_by() == actor.credential_id())) {
    return absl::InvalidArgumentError(
        "requested_by: four eyes: the one who asks for an exception may not approve it; "
        "another admin creates it");
  }
  for (const auto& [id, exception] : exceptions_) {
    if (exception.asset_id() == request.asset_id() &&
        exception.outcome_id() == request.outcome_id() &&
        ExceptionAsSeenAt(exception, now).status() == v1::RISK_EXCEPTION_ACTIVE) {
      return absl::FailedPreconditionError(
          absl::StrCat("outcome ", request.outcome_id(), " on asset ", request.asset_id(),
                       " has an active exception already: ", id, "; revoke it first to change it"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::RiskException> ExceptionBook::Create(
    const v1::Actor& actor, const v1::CreateRiskExceptionRequest& request) {
  const absl::Time now = clock_.TimeNow();
  absl::MutexLock lock(&mu_);
  if (absl::Status ok = CheckCreate(actor, request, now); !ok.ok()) return ok;
  const v1::Asset asset = *registry_.FindAsset(request.asset_id());
  v1::RiskExceptionEvent event;
  event.set_at_unix_nanos(absl::ToUnixNanos(now));
  *event.mutable_actor() = actor;
  v1::RiskException& created = *event.mutable_created();
  created.set_id(ExceptionIdText(order_.size() + 1));
  created.set_asset_id(request.asset_id());
  created.set_outcome_id(request.outcome_id());
  created.set_reason(request.reason());
  created.set_requested_by(request.requested_by());
  *created.mutable_approved_by() = actor;
  created.set_created_unix_nanos(event.at_unix_nanos());
  created.set_until_unix_seconds(request.until_unix_seconds());
  created.set_status(v1::RISK_EXCEPTION_ACTIVE);
  created.set_department_id(asset.department_id());
  created.set_supplier_id(asset.supplier_id());
  const std::string id = created.id();
  return Append(id, std::move(event));
}

absl::StatusOr<std::vector<v1::RiskException>> ExceptionBook::List(
    const v1::Actor& viewer, absl::string_view asset_id) const {
  const absl::Time now = clock_.TimeNow();
  if (!asset_id.empty()) {
    std::optional<v1::Asset> asset = registry_.FindAsset(asset_id);
    v1::RiskException probe;  // Whether the viewer may see the asset's exceptions.
    if (asset) {
      probe.set_department_id(asset->department_id());
      probe.set_supplier_id(asset->supplier_id());
    }
    if (!asset || !MaySeeException(viewer, probe)) {
      return absl::NotFoundError(absl::StrCat("no asset ", Quoted(asset_id)));
    }
  }
  std::vector<v1::RiskException> seen;
  absl::ReaderMutexLock lock(&mu_);
  for (auto id = order_.rbegin(); id != order_.rend(); ++id) {
    const v1::RiskException& exception = exceptions_.at(*id);
    if (!asset_id.empty() && exception.asset_id() != asset_id) continue;
    if (!MaySeeException(viewer, exception)) continue;
    seen.push_back(ExceptionAsSeenAt(exception, now));
  }
  return seen;
}

absl::StatusOr<v1::RiskException> ExceptionBook::Revoke(const v1::Actor& actor,
                                                        absl::string_view exception_id,
                                                        absl::string_view reason) {
  if (reason.size() > kMaxRevokeReasonBytes || !IsValidUtf8(reason)) {
    return absl::InvalidArgumentError("reason: at most 1024 bytes of UTF-8 text");
  }
  const absl::Time now = clock_.TimeNow();
  absl::MutexLock lock(&mu_);
  auto found = exceptions_.find(exception_id);
  if (found == exceptions_.end() || !MaySeeException(actor, found->second)) {
    return NoException(exception_id);
  }
  const v1::RiskException seen = ExceptionAsSeenAt(found->second, now);
  if (seen.status() == v1::RISK_EXCEPTION_REVOKED) {
    return absl::FailedPreconditionError(
        absl::StrCat("exception ", seen.id(), " is revoked already"));
  }
  if (seen.status() == v1::RISK_EXCEPTION_EXPIRED) {
    return absl::FailedPreconditionError(
        absl::StrCat("exception ", seen.id(), " has expired already: nothing to revoke"));
  }
  v1::RiskExceptionEvent event;
  event.set_at_unix_nanos(absl::ToUnixNanos(now));
  *event.mutable_actor() = actor;
  event.set_exception_id(seen.id());
  event.set_revoked(true);
  event.set_reason(std::string(reason));
  return Append(seen.id(), std::move(event));
}

std::vector<v1::RiskException> ExceptionBook::All() const {
  const absl::Time now = clock_.TimeNow();
  std::vector<v1::RiskException> all;
  absl::ReaderMutexLock lock(&mu_);
  all.reserve(order_.size());
  for (const std::string& id : order_) all.push_back(ExceptionAsSeenAt(exceptions_.at(id), now));
  return all;
}

}  // namespace postura::collector
