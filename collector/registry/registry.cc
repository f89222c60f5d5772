#include "collector/registry/registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "collector/registry/registry_records.h"
#include "collector/store/store_keys.h"
#include "common/transport/target_proto.h"

namespace postura::collector {

absl::StatusOr<std::unique_ptr<Registry>> Registry::Load(EvidenceStore& store,
                                                         const Catalog& catalog) {
  absl::StatusOr<RegistryModel> model = ReadRegistryRecords(store, catalog);
  if (!model.ok()) return model.status();
  std::unique_ptr<Registry> registry(new Registry(store, catalog));
  absl::MutexLock lock(&registry->mu_);
  registry->model_ = *std::move(model);
  if (!registry->model_.tenants().contains(kOrganizationTenantId)) {
    v1::Tenant organization;
    organization.set_id(std::string(kOrganizationTenantId));
    organization.set_name("Organisation");
    organization.set_kind(v1::ORGANIZATION);
    if (absl::Status s = store.PutRegistryRecord(TenantKey(organization.id()), organization);
        !s.ok()) {
      return s;
    }
    registry->model_.PutTenant(organization);
  }
  if (absl::Status s = registry->model_.CheckConsistent(); !s.ok()) return s;
  return registry;
}

// ---------------------------------------------------------------------------------------
// Tenants

absl::Status Registry::LocalPutTenant(const v1::Tenant& tenant) {
  if (absl::Status s = CheckTenantFields(tenant); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (absl::Status s = model_.CheckTenantChange(tenant); !s.ok()) return s;
  if (absl::Status s = store_.PutRegistryRecord(TenantKey(tenant.id()), tenant); !s.ok()) {
    return s;
  }
  model_.PutTenant(tenant);
  return absl::OkStatus();
}

absl::Status Registry::LocalDeleteTenant(absl::string_view tenant_id) {
  if (tenant_id == kOrganizationTenantId) {
    return absl::InvalidArgumentError(absl::StrCat("tenant ", kOrganizationTenantId,
                                                   " is the organisation and cannot be deleted"));
  }
  absl::MutexLock lock(&mu_);
  if (absl::Status s = model_.CheckTenantDeletable(tenant_id); !s.ok()) return s;
  if (absl::Status s = store_.DeleteRegistryRecords({TenantKey(tenant_id)}); !s.ok()) return s;
  model_.EraseTenant(tenant_id);
  return absl::OkStatus();
}

std::vector<v1::Tenant> Registry::ListTenants() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Tenant> tenants;
  for (const auto& [id, tenant] : model_.tenants()) tenants.push_back(tenant);
  return tenants;
}

std::optional<v1::Tenant> Registry::FindTenant(absl::string_view tenant_id) const {
  absl::MutexLock lock(&mu_);
  auto it = model_.tenants().find(tenant_id);
  if (it == model_.tenants().end()) return std::nullopt;
  return it->second;
}

// ---------------------------------------------------------------------------------------
// Departments

absl::Status Registry::LocalPutDepartment(const v1::Department& department) {
  if (absl::Status s = CheckDepartmentFields(department); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (absl::Status s = store_.PutRegistryRecord(DepartmentKey(department.id()), department);
      !s.ok()) {
    return s;
  }
  model_.PutDepartment(department);
  return absl::OkStatus();
}

absl::Status Registry::LocalDeleteDepartment(absl::string_view department_id) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = model_.CheckDepartmentDeletable(department_id); !s.ok()) return s;
  if (absl::Status s = store_.DeleteRegistryRecords({DepartmentKey(department_id)}); !s.ok()) {
    return s;
  }
  model_.EraseDepartment(department_id);
  return absl::OkStatus();
}

std::vector<v1::Department> Registry::ListDepartments() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Department> departments;
  for (const auto& [id, department] : model_.departments()) departments.push_back(department);
  return departments;
}

std::optional<v1::Department> Registry::FindDepartment(absl::string_view department_id) const {
  absl::MutexLock lock(&mu_);
  auto it = model_.departments().find(department_id);
  if (it == model_.departments().end()) return std::nullopt;
  return it->second;
}

// ---------------------------------------------------------------------------------------
// Assets

absl::Status Registry::LocalPutAsset(const v1::Asset& asset) {
  if (absl::Status s = CheckAssetFields(asset); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  if (absl::Status s = model_.CheckAssetReferences(asset); !s.ok()) return s;
  if (absl::Status s = model_.CheckNoCycle(asset); !s.ok()) return s;
  if (absl::Status s = model_.CheckAssetChange(asset, catalog_); !s.ok()) return s;
  if (absl::Status s = store_.PutRegistryRecord(AssetKey(asset.id()), asset); !s.ok()) return s;
  const RegisteredAsset& entry = model_.PutAsset(asset);
  if (observer_ != nullptr) observer_->OnAssetPut(entry.asset, entry.targets);
  return absl::OkStatus();
}

absl::Status Registry::LocalDeleteAsset(absl::string_view asset_id) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = model_.CheckAssetDeletable(asset_id); !s.ok()) return s;
  if (absl::Status s = store_.DeleteAsset(asset_id); !s.ok()) return s;
  const std::string id(asset_id);
  model_.EraseAsset(id);
  if (observer_ != nullptr) observer_->OnAssetDeleted(id);
  return absl::OkStatus();
}

std::vector<v1::Asset> Registry::ListAssets() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Asset> assets;
  assets.reserve(model_.assets().size());
  for (const auto& [id, entry] : model_.assets()) assets.push_back(entry.asset);
  return assets;
}

std::optional<v1::Asset> Registry::FindAsset(absl::string_view asset_id) const {
  absl::MutexLock lock(&mu_);
  auto it = model_.assets().find(asset_id);
  if (it == model_.assets().end()) return std::nullopt;
  return it->second.asset;
}

// ---------------------------------------------------------------------------------------
// Targets

absl::Status Registry::LocalPutTargets(absl::string_view asset_id,
                                       const std::vector<v1::Target>& targets) {
  std::vector<Target> resolved;
  resolved.reserve(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    absl::StatusOr<Target> target = TargetFromProto(catalog_, targets[i]);
    if (!target.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("asset ", ShownId(asset_id), ": target ", i,
                                                     ": ", target.status().message()));
    }
    resolved.push_back(*target);
  }
  absl::MutexLock lock(&mu_);
  auto it = model_.assets().find(asset_id);
  if (it == model_.assets().end()) {
    return absl::NotFoundError(absl::StrCat("no asset '", ShownId(asset_id), "'"));
  }
  const v1::Asset& asset = it->second.asset;
  if (absl::Status s = ValidateTargets(catalog_, AssetGroup(asset), resolved); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("asset ", asset_id, ": ", s.message()));
  }
  v1::PutTargetsRequest record;
  record.set_asset_id(asset.id());
  for (const Target& target : resolved) *record.add_targets() = TargetToProto(catalog_, target);
  absl::Status written = resolved.empty() ? store_.DeleteRegistryRecords({TargetsKey(asset_id)})
                                          : store_.PutRegistryRecord(TargetsKey(asset_id), record);
  if (!written.ok()) return written;
  const RegisteredAsset& entry = model_.SetTargets(
      asset_id, {record.targets().begin(), record.targets().end()}, std::move(resolved));
  if (observer_ != nullptr) observer_->OnAssetPut(entry.asset, entry.targets);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Target>> Registry::GetTargets(absl::string_view asset_id) const {
  absl::MutexLock lock(&mu_);
  auto it = model_.assets().find(asset_id);
  if (it == model_.assets().end()) {
    return absl::NotFoundError(absl::StrCat("no asset '", ShownId(asset_id), "'"));
  }
  return it->second.target_protos;
}

// ---------------------------------------------------------------------------------------
// Agents

absl::Status Registry::LocalPutAgent(const v1::Agent& agent) {
  if (absl::Status s = CheckAgentFields(agent); !s.ok()) return s;
  const v1::Agent registration = AgentRegistration(agent);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = model_.CheckAgentBindings(registration); !s.ok()) return s;
  if (absl::Status s = store_.PutRegistryRecord(AgentKey(agent.id()), registration); !s.ok()) {
    return s;
  }
  model_.PutAgent(registration);
  return absl::OkStatus();
}

absl::Status Registry::LocalDeleteAgent(absl::string_view agent_id) {
  absl::MutexLock lock(&mu_);
  if (!model_.agents().contains(agent_id)) {
    return absl::NotFoundError(absl::StrCat("no agent '", ShownId(agent_id), "'"));
  }
  if (absl::Status s = store_.DeleteRegistryRecords({AgentKey(agent_id)}); !s.ok()) return s;
  model_.EraseAgent(agent_id);
  return absl::OkStatus();
}

std::vector<v1::Agent> Registry::ListAgents() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Agent> agents;
  agents.reserve(model_.agents().size());
  for (const auto& [id, binding] : model_.agents()) {
    v1::Agent& agent = agents.emplace_back();
    agent.set_id(id);
    agent.set_tenant_id(binding->tenant_id);
    std::vector<std::string> assets(binding->asset_ids.begin(), binding->asset_ids.end());
    std::sort(assets.begin(), assets.end());
    for (std::string& asset : assets) agent.add_asset_ids(std::move(asset));
  }
  std::sort(agents.begin(), agents.end(),
            [](const v1::Agent& a, const v1::Agent& b) { return a.id() < b.id(); });
  return agents;
}

std::shared_ptr<const AgentBinding> Registry::FindAgent(const std::string& agent_id) const {
  absl::MutexLock lock(&mu_);
  auto it = model_.agents().find(agent_id);
  return it == model_.agents().end() ? nullptr : it->second;
}

// ---------------------------------------------------------------------------------------
// Observer

void Registry::SetObserver(RegistryObserver* observer) {
  absl::MutexLock lock(&mu_);
  observer_ = observer;
  if (observer_ == nullptr) return;
  for (const std::string& id : model_.DependencyOrder()) {
    const RegisteredAsset& entry = model_.assets().find(id)->second;
    observer_->OnAssetPut(entry.asset, entry.targets);
  }
}

}  // namespace postura::collector
