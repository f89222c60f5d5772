#ifndef POSTURA_COLLECTOR_ACCESS_ACCESS_POLICY_H_
#define POSTURA_COLLECTOR_ACCESS_ACCESS_POLICY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "collector/registry/registry.h"
#include "postura/v1/access.pb.h"
#include "postura/v1/admin.pb.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// What a call does, for the role check. Each gRPC method and HTTP route names one.
enum class Permission {
  kChangeRegistry,     // Create, change or delete tenants, departments, assets, agents, targets.
  kManageCredentials,  // Create, list and revoke tokens and agent credentials.
  kReadRegistry,       // List tenants, departments and agents; ingest counters.
  kReadOrganization,   // Organisation rollups and /metrics.
  kReadScores,         // Asset scores, lists, targets, gaps and plans (tenant-scoped).
  kReadEvidence,       // Evidence history (tenant-scoped).
  kWatch,              // Live score streams (tenant-scoped).
  kReport,             // Send evidence (bound assets only).
  kIdentify,           // Ask who one is.
  // Evidence requests (collector/requests; the book checks tenants and four eyes).
  kManageRequests,  // Open and cancel evidence requests.
  kAnswerRequests,  // Answer a request one owns (tenant-scoped).
  kReviewRequests,  // Approve or reject answers (never one's own).
  kReadRequests,    // Requests and their documents (tenant-scoped).
  kReadAudit,       // The audit trail of evidence requests.
};

// Who is calling, as its credential says.
struct Principal {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string tenant_id;      // "org", or the supplier a SUPPLIER or supplier agent acts for.
  std::string agent_id;       // For AGENT.
  std::string credential_id;  // Safe to log; never the secret.
  std::string department_id;  // For DEPARTMENT: the officer's department.
  // For a call admitted by a dashboard session: the session's key (SessionKey in
  // session_book.h, a hash, never the id), so that an event stream ends with its session.
  // Empty for a call that carries its token.
  std::string session_key{};

  // Staff roles see every tenant; suppliers and agents only their own, department officers
  // only their department's assets.
  bool SeesAllTenants() const;
};

Principal PrincipalOf(const v1::Credential& credential);

// OK if the role may do it; PermissionDenied naming role and action otherwise.
//   admin:    everything but kReport
//   operator: reads everything, watches
//   auditor:  reads everything, no live watch
//   supplier: kReadScores, kReadEvidence, kWatch, kIdentify, within its tenant
//   agent:    kReport, kIdentify
//   department (officer): kReadScores, kWatch, kIdentify, within its department
// and for evidence requests: admin all of them (it answers none: the book leaves that to
// owners); operator kReadRequests; auditor kReadRequests, kReadAudit; supplier and
// department kAnswerRequests, kReadRequests, for their own requests only.
absl::Status Authorize(const Principal& principal, Permission permission);

// OK if the principal may see the asset; NotFound, worded as for an asset that does not
// exist, if it is another tenant's or department's (so its existence is not revealed) or
// absent.
absl::Status CheckAssetVisible(const Principal& principal, const Registry& registry,
                               absl::string_view asset_id);

// Narrows a request to what the principal may see: a supplier's lists and watches are
// forced to its own tenant, a department officer's to its department. PermissionDenied if
// the request names another supplier or department; NotFound for an asset the principal
// may not see.
absl::Status ScopeRequest(const Principal& principal, v1::ListAssetScoresRequest& request);
absl::Status ScopeRequest(const Principal& principal, const Registry& registry,
                          v1::WatchRequest& request);

// True if the principal may see the asset record.
bool MaySee(const Principal& principal, const v1::Asset& asset);

// Hides from a summary what the principal may not see: the id and supplier of a limiting
// asset of another tenant (a supplier learns that a dependency limits its asset, from
// adjusted_value, but not which). A department officer never sees them (the summary does
// not say whose department the limiting asset is in). Needs no registry lookup, so it is
// safe under any lock.
void HideForeignLimit(const Principal& principal, v1::AssetSummary& summary);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ACCESS_ACCESS_POLICY_H_
