#include "collector/registry/registry_rules.h"

#include <algorithm>
#include <cstddef>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace postura::collector {
namespace {

constexpr std::size_t kMaxNameBytes = 256;
constexpr int kMaxDependencies = 64;

absl::Status CheckId(absl::string_view what, absl::string_view id) {
  if (IsValidId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      what, " id '", ShownId(id), "' is invalid: use 1 to 128 characters from A-Z a-z 0-9 . _ -"));
}

absl::Status CheckName(absl::string_view what, absl::string_view id, absl::string_view name) {
  if (!name.empty() && name.size() <= kMaxNameBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " ", id, ": name must be 1 to ", kMaxNameBytes, " bytes"));
}

absl::Status CheckDependencies(const v1::Asset& asset) {
  const std::string& id = asset.id();
  if (asset.dependency_ids_size() > kMaxDependencies) {
    return absl::InvalidArgumentError(
        absl::StrCat("asset ", id, " has ", asset.dependency_ids_size(),
                     " dependencies; the limit is ", kMaxDependencies));
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (const std::string& dependency : asset.dependency_ids()) {
    if (dependency == id) {
      return absl::InvalidArgumentError(absl::StrCat(
          "asset ", id, " cannot depend on itself (dependency cycle: ", id, " -> ", id, ")"));
    }
    if (!seen.insert(dependency).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("asset ", id, ": dependency '", ShownId(dependency), "' is listed twice"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

absl::string_view ShownId(absl::string_view id) { return id.substr(0, 160); }

absl::Status CheckTenantFields(const v1::Tenant& tenant) {
  if (absl::Status s = CheckId("tenant", tenant.id()); !s.ok()) return s;
  if (absl::Status s = CheckName("tenant", tenant.id(), tenant.name()); !s.ok()) return s;
  if (tenant.kind() != v1::ORGANIZATION && tenant.kind() != v1::SUPPLIER) {
    return absl::InvalidArgumentError(
        absl::StrCat("tenant ", tenant.id(), ": kind must be ORGANIZATION or SUPPLIER"));
  }
  if (tenant.id() == kOrganizationTenantId && tenant.kind() != v1::ORGANIZATION) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tenant ", kOrganizationTenantId, " is the organisation: its kind must be ORGANIZATION"));
  }
  return absl::OkStatus();
}

absl::Status CheckDepartmentFields(const v1::Department& department) {
  if (absl::Status s = CheckId("department", department.id()); !s.ok()) return s;
  return CheckName("department", department.id(), department.name());
}

absl::Status CheckAssetFields(const v1::Asset& asset) {
  const std::string& id = asset.id();
  if (absl::Status s = CheckId("asset", id); !s.ok()) return s;
  if (absl::Status s = CheckName("asset", id, asset.name()); !s.ok()) return s;
  if (asset.implementation_group() < v1::IG1 || asset.implementation_group() > v1::IG3) {
    return absl::InvalidArgumentError(
        absl::StrCat("asset ", id, ": implementation_group must be IG1, IG2 or IG3"));
  }
  return CheckDependencies(asset);
}

absl::Status CheckAgentFields(const v1::Agent& agent) { return CheckId("agent", agent.id()); }

std::string AgentTenant(const v1::Agent& agent) {
  return agent.tenant_id().empty() ? std::string(kOrganizationTenantId) : agent.tenant_id();
}

v1::Agent AgentRegistration(const v1::Agent& agent) {
  v1::Agent registration;
  registration.set_id(agent.id());
  *registration.mutable_asset_ids() = agent.asset_ids();
  registration.set_tenant_id(AgentTenant(agent));
  return registration;
}

ImplementationGroup AssetGroup(const v1::Asset& asset) {
  return static_cast<ImplementationGroup>(asset.implementation_group() - v1::IG1);
}

}  // namespace postura::collector
