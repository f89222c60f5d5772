// The registry's change methods: each makes its change and routes or applies it
// (registry.h, "cluster mode").

#include "collector/registry/registry.h"

namespace postura::collector {
namespace {

// The checks of a change's own fields, which need no other record: a change that fails
// them is refused before it is routed, so it never reaches the cluster's log.
absl::Status CheckFields(const v1::RegistryChange& change) {
  switch (change.change_case()) {
    case v1::RegistryChange::kPutTenant:
      return CheckTenantFields(change.put_tenant());
    case v1::RegistryChange::kPutDepartment:
      return CheckDepartmentFields(change.put_department());
    case v1::RegistryChange::kPutAsset:
      return CheckAssetFields(change.put_asset());
    case v1::RegistryChange::kPutAgent:
      return CheckAgentFields(change.put_agent());
    default:
      return absl::OkStatus();  // The rest is checked against the registry when applied.
  }
}

}  // namespace

void Registry::RouteChangesThrough(ChangeRouter router) {
  absl::MutexLock lock(&router_mu_);
  router_ = std::move(router);
}

absl::Status Registry::Change(const v1::RegistryChange& change) {
  ChangeRouter router;
  {
    absl::MutexLock lock(&router_mu_);
    router = router_;
  }
  if (!router) return Apply(change);
  if (absl::Status s = CheckFields(change); !s.ok()) return s;
  return router(change);
}

absl::Status Registry::Apply(const v1::RegistryChange& change) {
  switch (change.change_case()) {
    case v1::RegistryChange::kPutTenant:
      return LocalPutTenant(change.put_tenant());
    case v1::RegistryChange::kDeleteTenant:
      return LocalDeleteTenant(change.delete_tenant());
    case v1::RegistryChange::kPutDepartment:
      return LocalPutDepartment(change.put_department());
    case v1::RegistryChange::kDeleteDepartment:
      return LocalDeleteDepartment(change.delete_department());
    case v1::RegistryChange::kPutAsset:
      return LocalPutAsset(change.put_asset());
    case v1::RegistryChange::kDeleteAsset:
      return LocalDeleteAsset(change.delete_asset());
    case v1::RegistryChange::kPutTargets:
      return LocalPutTargets(
          change.put_targets().asset_id(),
          {change.put_targets().targets().begin(), change.put_targets().targets().end()});
    case v1::RegistryChange::kPutAgent:
      return LocalPutAgent(change.put_agent());
    case v1::RegistryChange::kDeleteAgent:
      return LocalDeleteAgent(change.delete_agent());
    case v1::RegistryChange::CHANGE_NOT_SET:
      break;
    default:  // The credentials' (collector/access/credential_store.h).
      return absl::InvalidArgumentError("a change of the credentials, not of the registry");
  }
  return absl::InvalidArgumentError("a registry change that names no change");
}

absl::Status Registry::PutTenant(const v1::Tenant& tenant) {
  v1::RegistryChange change;
  *change.mutable_put_tenant() = tenant;
  return Change(change);
}

absl::Status Registry::DeleteTenant(absl::string_view tenant_id) {
  v1::RegistryChange change;
  change.set_delete_tenant(std::string(tenant_id));
  return Change(change);
}

absl::Status Registry::PutDepartment(const v1::Department& department) {
  v1::RegistryChange change;
  *change.mutable_put_department() = department;
  return Change(change);
}

absl::Status Registry::DeleteDepartment(absl::string_view department_id) {
  v1::RegistryChange change;
  change.set_delete_department(std::string(department_id));
  return Change(change);
}

absl::Status Registry::PutAsset(const v1::Asset& asset) {
  v1::RegistryChange change;
  *change.mutable_put_asset() = asset;
  return Change(change);
}

absl::Status Registry::DeleteAsset(absl::string_view asset_id) {
  v1::RegistryChange change;
  change.set_delete_asset(std::string(asset_id));
  return Change(change);
}

absl::Status Registry::PutTargets(absl::string_view asset_id,
                                  const std::vector<v1::Target>& targets) {
  v1::RegistryChange change;
  change.mutable_put_targets()->set_asset_id(std::string(asset_id));
  for (const v1::Target& target : targets) *change.mutable_put_targets()->add_targets() = target;
  return Change(change);
}

absl::Status Registry::PutAgent(const v1::Agent& agent) {
  v1::RegistryChange change;
  *change.mutable_put_agent() = agent;
  return Change(change);
}

absl::Status Registry::DeleteAgent(absl::string_view agent_id) {
  v1::RegistryChange change;
  change.set_delete_agent(std::string(agent_id));
  return Change(change);
}

}  // namespace postura::collector
