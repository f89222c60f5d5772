#include "collector/access/access_policy.h"

#include "absl/strings/str_cat.h"

namespace postura::collector {
namespace {

absl::string_view RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_ADMIN:
      return "admin";
    case v1::ROLE_OPERATOR:
      return "operator";
    case v1::ROLE_AUDITOR:
      return "auditor";
    case v1::ROLE_SUPPLIER:
      return "supplier";
    case v1::ROLE_AGENT:
      return "agent";
    case v1::ROLE_DEPARTMENT:
      return "department";
    default:
      return "unknown";
  }
}

absl::string_view ActionName(Permission permission) {
  switch (permission) {
    case Permission::kChangeRegistry:
      return "change the registry";
    case Permission::kManageCredentials:
      return "manage credentials";
    case Permission::kReadRegistry:
      return "read the registry";
    case Permission::kReadOrganization:
      return "read organisation-wide figures";
    case Permission::kReadScores:
      return "read scores";
    case Permission::kReadEvidence:
      return "read evidence";
    case Permission::kWatch:
      return "watch live scores";
    case Permission::kReport:
      return "report evidence";
    case Permission::kIdentify:
      return "identify itself";
    case Permission::kManageRequests:
      return "open or cancel evidence requests";
    case Permission::kAnswerRequests:
      return "answer evidence requests";
    case Permission::kReviewRequests:
      return "review answers to evidence requests";
    case Permission::kReadRequests:
      return "read evidence requests";
    case Permission::kReadAudit:
      return "read the audit trail";
  }
  return "do this";
}

bool IsRequestPermission(Permission permission) {
  return permission == Permission::kManageRequests || permission == Permission::kAnswerRequests ||
         permission == Permission::kReviewRequests || permission == Permission::kReadRequests ||
         permission == Permission::kReadAudit;
}

// Evidence requests: a table of its own, so that no role gains them by a rule above.
bool RoleAllowsRequests(v1::Role role, Permission permission) {
  switch (role) {
    case v1::ROLE_ADMIN:
      return true;
    case v1::ROLE_OPERATOR:
      return permission == Permission::kReadRequests;
    case v1::ROLE_AUDITOR:
      return permission == Permission::kReadRequests || permission == Permission::kReadAudit;
    case v1::ROLE_SUPPLIER:
    case v1::ROLE_DEPARTMENT:
      return permission == Permission::kAnswerRequests || permission == Permission::kReadRequests;
    default:
      return false;
  }
}

bool RoleAllows(v1::Role role, Permission permission) {
  if (IsRequestPermission(permission)) return RoleAllowsRequests(role, permission);
  switch (role) {
    case v1::ROLE_ADMIN:
      return permission != Permission::kReport;
    case v1::ROLE_OPERATOR:
      return permission != Permission::kReport && permission != Permission::kChangeRegistry &&
             permission != Permission::kManageCredentials;
    case v1::ROLE_AUDITOR:
      return permission != Permission::kReport && permission != Permission::kChangeRegistry &&
             permission != Permission::kManageCredentials && permission != Permission::kWatch;
    case v1::ROLE_SUPPLIER:
      return permission == Permission::kReadScores || permission == Permission::kReadEvidence ||
             permission == Permission::kWatch || permission == Permission::kIdentify;
    case v1::ROLE_AGENT:
      return permission == Permission::kReport || permission == Permission::kIdentify;
    case v1::ROLE_DEPARTMENT:
      return permission == Permission::kReadScores || permission == Permission::kWatch ||
             permission == Permission::kIdentify;
    default:
      return false;
  }
}

absl::Status ForeignSupplier() {
  return absl::PermissionDeniedError("a supplier sees only its own assets");
}

absl::Status ForeignDepartment() {
  return absl::PermissionDeniedError("a department officer sees only its department's assets");
}

// Forces a list's or watch's department filter to the officer's own department.
template <typename Request>
absl::Status ScopeToDepartment(const Principal& principal, Request& request) {
  if (!request.department_id().empty() && request.department_id() != principal.department_id) {
    return ForeignDepartment();
  }
  request.set_department_id(principal.department_id);
  return absl::OkStatus();
}

}  // namespace

bool Principal::SeesAllTenants() const {
  return role == v1::ROLE_ADMIN || role == v1::ROLE_OPERATOR || role == v1::ROLE_AUDITOR;
}

Principal PrincipalOf(const v1::Credential& credential) {
  return Principal{.role = credential.role(),
                   .tenant_id = credential.tenant_id(),
                   .agent_id = credential.agent_id(),
                   .credential_id = credential.id(),
                   .department_id = credential.department_id()};
}

absl::Status Authorize(const Principal& principal, Permission permission) {
  if (RoleAllows(principal.role, permission)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("role ", RoleName(principal.role), " may not ", ActionName(permission)));
}

bool MaySee(const Principal& principal, const v1::Asset& asset) {
  if (principal.role == v1::ROLE_DEPARTMENT) {
    return !principal.department_id.empty() && asset.department_id() == principal.department_id;
  }
  return principal.SeesAllTenants() || asset.supplier_id() == principal.tenant_id;
}

void HideForeignLimit(const Principal& principal, v1::AssetSummary& summary) {
  if (principal.SeesAllTenants()) return;
  if (principal.role != v1::ROLE_DEPARTMENT &&
      summary.limiting_supplier_id() == principal.tenant_id) {
    return;
  }
  summary.clear_limiting_asset_id();
  summary.clear_limiting_supplier_id();
}

absl::Status CheckAssetVisible(const Principal& principal, const Registry& registry,
                               absl::string_view asset_id) {
  std::optional<v1::Asset> asset = registry.FindAsset(asset_id);
  if (asset && MaySee(principal, *asset)) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat("no asset '", asset_id.substr(0, 128), "'"));
}

absl::Status ScopeRequest(const Principal& principal, v1::ListAssetScoresRequest& request) {
  if (principal.SeesAllTenants()) return absl::OkStatus();
  if (principal.role == v1::ROLE_DEPARTMENT) return ScopeToDepartment(principal, request);
  if (!request.supplier_id().empty() && request.supplier_id() != principal.tenant_id) {
    return ForeignSupplier();
  }
  request.set_supplier_id(principal.tenant_id);
  return absl::OkStatus();
}

absl::Status ScopeRequest(const Principal& principal, const Registry& registry,
                          v1::WatchRequest& request) {
  if (principal.SeesAllTenants()) return absl::OkStatus();
  const bool officer = principal.role == v1::ROLE_DEPARTMENT;
  if (!officer && !request.supplier_id().empty() && request.supplier_id() != principal.tenant_id) {
    return ForeignSupplier();
  }
  for (const std::string& asset_id : request.asset_ids()) {
    if (absl::Status visible = CheckAssetVisible(principal, registry, asset_id); !visible.ok()) {
      return visible;
    }
  }
  if (officer) return ScopeToDepartment(principal, request);
  request.set_supplier_id(principal.tenant_id);
  return absl::OkStatus();
}

}  // namespace postura::collector
