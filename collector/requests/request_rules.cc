#include "collector/requests/request_rules.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/utf8.h"

namespace postura::collector {

std::string Quoted(absl::string_view id) {
  return absl::StrCat("'", ValidUtf8Prefix(id, 128), "'");
}

namespace {

bool IsStaff(const v1::Actor& actor) {
  return actor.role() == v1::ROLE_ADMIN || actor.role() == v1::ROLE_OPERATOR ||
         actor.role() == v1::ROLE_AUDITOR;
}

const v1::OutcomeAnswer* FindOutcome(const v1::EvidenceRequest& request,
                                     absl::string_view outcome_id) {
  for (const v1::OutcomeAnswer& outcome : request.outcomes()) {
    if (outcome.outcome_id() == outcome_id) return &outcome;
  }
  return nullptr;
}

// A supplier token of the owner tenant, or a department officer of the owner department.
bool IsOwner(const v1::Actor& actor, const v1::EvidenceRequest& request) {
  if (request.owner_kind() == v1::OWNER_SUPPLIER) {
    return actor.role() == v1::ROLE_SUPPLIER && actor.tenant_id() == request.owner_tenant_id();
  }
  return request.owner_kind() == v1::OWNER_DEPARTMENT && actor.role() == v1::ROLE_DEPARTMENT &&
         !actor.department_id().empty() && actor.department_id() == request.owner_id();
}

}  // namespace

bool MaySee(const v1::Actor& viewer, const v1::EvidenceRequest& request) {
  return IsStaff(viewer) || IsOwner(viewer, request);
}

absl::Status CheckOwner(const v1::Actor& actor, const v1::EvidenceRequest& request) {
  const bool supplier = request.owner_kind() == v1::OWNER_SUPPLIER;
  if (IsOwner(actor, request)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("request ", request.id(), " is for ",
                                                  supplier ? "supplier " : "department ",
                                                  request.owner_id(), " to answer"));
}

absl::Status CheckText(absl::string_view field, absl::string_view text) {
  if (text.empty() || text.size() > kMaxTextBytes || !IsValidUtf8(text)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": give 1 to ", kMaxTextBytes, " bytes of UTF-8 text"));
  }
  return absl::OkStatus();
}

bool IsDli(v1::Level level) {
  return level == v1::DLI_0 || level == v1::DLI_33 || level == v1::DLI_67 || level == v1::DLI_100;
}

absl::StatusOr<const v1::OutcomeAnswer*> AskedOutcome(const v1::EvidenceRequest& request,
                                                      absl::string_view outcome_id,
                                                      const Catalog& catalog) {
  if (!catalog.FindOutcome(outcome_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome: no outcome ", Quoted(outcome_id), " in the catalog"));
  }
  const v1::OutcomeAnswer* outcome = FindOutcome(request, outcome_id);
  if (outcome == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome: request ", request.id(), " does not ask for ", Quoted(outcome_id)));
  }
  return outcome;
}

absl::Status CheckNotCancelled(const v1::EvidenceRequest& request) {
  if (request.status() != v1::REQUEST_CANCELLED) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("request ", request.id(), " is cancelled: it takes no answers or reviews"));
}

std::vector<v1::Evidence> ApprovedEvidence(
    const v1::EvidenceRequest& request, const v1::OutcomeAnswer& outcome, const v1::Actor& reviewer,
    absl::Time now, uint32_t max_detail_bytes,
    const std::function<bool(const std::string&)>& asset_exists) {
  std::vector<v1::Evidence> items;
  const absl::Time expires = now + absl::Seconds(request.validity_seconds());
  const std::string detail = ValidUtf8Prefix(
      absl::StrCat(request.id(), " approved by ",
                   reviewer.name().empty() ? reviewer.credential_id() : reviewer.name(), ": ",
                   outcome.answer().statement()),
      max_detail_bytes);
  for (const std::string& asset : request.asset_ids()) {
    if (!asset_exists(asset)) continue;  // Deleted since: nothing to score.
    v1::Evidence& item = items.emplace_back();
    item.set_asset_id(asset);
    item.set_outcome_id(outcome.outcome_id());
    item.set_level(outcome.answer().level());
    item.set_observed_at_unix_nanos(absl::ToUnixNanos(now));
    item.set_expires_at_unix_nanos(absl::ToUnixNanos(expires));
    item.set_check_id(absl::StrCat("request.", request.id()));
    item.set_kind(v1::ATTESTED);
    item.set_detail(detail);
    if (outcome.answer().documents_size() > 0) {
      item.set_content_sha256(absl::HexStringToBytes(outcome.answer().documents(0).sha256_hex()));
    }
  }
  return items;
}

}  // namespace postura::collector
