#include "collector/registry/registry_model.h"

#include <algorithm>
#include <deque>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace postura::collector {
namespace {

// "assets a, b and agents c"; empty when both lists are.
std::string Users(std::vector<std::string> assets, std::vector<std::string> agents) {
  std::vector<std::string> parts;
  std::sort(assets.begin(), assets.end());
  std::sort(agents.begin(), agents.end());
  if (!assets.empty()) parts.push_back(absl::StrCat("assets ", absl::StrJoin(assets, ", ")));
  if (!agents.empty()) parts.push_back(absl::StrCat("agents ", absl::StrJoin(agents, ", ")));
  return absl::StrJoin(parts, " and ");
}

std::shared_ptr<const AgentBinding> MakeBinding(const v1::Agent& agent) {
  auto binding = std::make_shared<AgentBinding>();
  binding->agent_id = agent.id();
  binding->asset_ids.insert(agent.asset_ids().begin(), agent.asset_ids().end());
  binding->tenant_id = AgentTenant(agent);
  return binding;
}

absl::Status Inconsistent(const absl::Status& broken) {
  return absl::DataLossError(absl::StrCat("stored registry is inconsistent: ", broken.message()));
}

}  // namespace

void RegistryModel::EraseTenant(absl::string_view tenant_id) {
  if (auto it = tenants_.find(tenant_id); it != tenants_.end()) tenants_.erase(it);
}

void RegistryModel::PutDepartment(const v1::Department& department) {
  departments_[department.id()] = department;
}

void RegistryModel::EraseDepartment(absl::string_view department_id) {
  if (auto it = departments_.find(department_id); it != departments_.end()) departments_.erase(it);
}

const RegisteredAsset& RegistryModel::PutAsset(const v1::Asset& asset) {
  RegisteredAsset& entry = assets_[asset.id()];
  entry.asset = asset;
  return entry;
}

const RegisteredAsset& RegistryModel::SetTargets(absl::string_view asset_id,
                                                 std::vector<v1::Target> target_protos,
                                                 std::vector<Target> targets) {
  RegisteredAsset& entry = assets_.find(asset_id)->second;
  entry.target_protos = std::move(target_protos);
  entry.targets = std::move(targets);
  return entry;
}

void RegistryModel::EraseAsset(absl::string_view asset_id) {
  if (auto it = assets_.find(asset_id); it != assets_.end()) assets_.erase(it);
}

void RegistryModel::PutAgent(const v1::Agent& agent) { agents_[agent.id()] = MakeBinding(agent); }

void RegistryModel::EraseAgent(absl::string_view agent_id) {
  if (auto it = agents_.find(agent_id); it != agents_.end()) agents_.erase(it);
}

std::string RegistryModel::TenantUsers(absl::string_view tenant_id) const {
  std::vector<std::string> assets, agents;
  for (const auto& [id, entry] : assets_) {
    if (entry.asset.supplier_id() == tenant_id) assets.push_back(id);
  }
  for (const auto& [id, binding] : agents_) {
    if (binding->tenant_id == tenant_id) agents.push_back(id);
  }
  return Users(std::move(assets), std::move(agents));
}

absl::Status RegistryModel::CheckTenantChange(const v1::Tenant& tenant) const {
  auto it = tenants_.find(tenant.id());
  if (it == tenants_.end() || it->second.kind() == tenant.kind()) return absl::OkStatus();
  if (std::string users = TenantUsers(tenant.id()); !users.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "tenant ", tenant.id(), " cannot change its kind while ", users, " refer to it"));
  }
  return absl::OkStatus();
}

absl::Status RegistryModel::CheckTenantDeletable(absl::string_view tenant_id) const {
  auto it = tenants_.find(tenant_id);
  if (it == tenants_.end()) {
    return absl::NotFoundError(absl::StrCat("no tenant '", ShownId(tenant_id), "'"));
  }
  if (std::string users = TenantUsers(it->first); !users.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("tenant ", tenant_id, " is still used by ", users));
  }
  return absl::OkStatus();
}

absl::Status RegistryModel::CheckDepartmentDeletable(absl::string_view department_id) const {
  if (!departments_.contains(department_id)) {
    return absl::NotFoundError(absl::StrCat("no department '", ShownId(department_id), "'"));
  }
  std::vector<std::string> assets;
  for (const auto& [id, entry] : assets_) {
    if (entry.asset.department_id() == department_id) assets.push_back(id);
  }
  if (!assets.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("department ", department_id, " still owns ", Users(assets, {})));
  }
  return absl::OkStatus();
}

absl::Status RegistryModel::CheckAssetReferences(const v1::Asset& asset) const {
  const std::string& id = asset.id();
  if (!asset.department_id().empty() && !departments_.contains(asset.department_id())) {
    return absl::NotFoundError(
        absl::StrCat("asset ", id, ": no department '", ShownId(asset.department_id()), "'"));
  }
  if (!asset.supplier_id().empty()) {
    auto supplier = tenants_.find(asset.supplier_id());
    if (supplier == tenants_.end()) {
      return absl::NotFoundError(
          absl::StrCat("asset ", id, ": no supplier tenant '", ShownId(asset.supplier_id()), "'"));
    }
    if (supplier->second.kind() != v1::SUPPLIER) {
      return absl::InvalidArgumentError(
          absl::StrCat("asset ", id, ": tenant ", supplier->first, " is not a SUPPLIER"));
    }
  }
  for (const std::string& dependency : asset.dependency_ids()) {
    if (!assets_.contains(dependency)) {
      return absl::NotFoundError(
          absl::StrCat("asset ", id, ": no asset '", ShownId(dependency), "' to depend on"));
    }
  }
  return absl::OkStatus();
}

absl::Status RegistryModel::CheckNoCycle(const v1::Asset& asset) const {
  // The graph is a DAG before the change, so a new cycle runs through `asset`: search
  // breadth first from its new dependencies for a way back to it. `parent` maps each
  // asset reached to the one it was reached from, which yields the shortest cycle.
  const std::string& id = asset.id();
  absl::flat_hash_map<std::string, std::string> parent;
  std::deque<std::string> queue;
  for (const std::string& dependency : asset.dependency_ids()) {
    if (parent.emplace(dependency, id).second) queue.push_back(dependency);
  }
  while (!queue.empty()) {
    const std::string current = std::move(queue.front());
    queue.pop_front();
    for (const std::string& next : assets_.find(current)->second.asset.dependency_ids()) {
      if (next == id) {
        std::vector<std::string> cycle = {id};
        for (std::string step = current; step != id; step = parent.at(step)) {
          cycle.push_back(step);
        }
        cycle.push_back(id);
        std::reverse(cycle.begin(), cycle.end());
        return absl::FailedPreconditionError(
            absl::StrCat("asset ", id, ": dependency cycle: ", absl::StrJoin(cycle, " -> ")));
      }
      if (parent.emplace(next, current).second) queue.push_back(next);
    }
  }
  return absl::OkStatus();
}

absl::Status RegistryModel::CheckAssetChange(const v1::Asset& asset, const Catalog& catalog) const {
  auto it = assets_.find(asset.id());
  if (it == assets_.end()) return absl::OkStatus();
  const RegisteredAsset& old = it->second;
  if (old.asset.implementation_group() != asset.implementation_group()) {
    const ImplementationGroup group = AssetGroup(asset);
    if (absl::Status s = ValidateTargets(catalog, group, old.targets); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "asset ", asset.id(), ": cannot change to ", ImplementationGroupName(group),
          " while its targets do not apply (", s.message(), "); change its targets first"));
    }
  }
  if (old.asset.supplier_id() != asset.supplier_id()) {
    std::vector<std::string> agents;
    for (const auto& [agent_id, binding] : agents_) {
      if (!binding->asset_ids.contains(asset.id())) continue;
      if (binding->tenant_id == asset.supplier_id()) continue;
      if (tenants_.at(binding->tenant_id).kind() == v1::SUPPLIER) agents.push_back(agent_id);
    }
    if (!agents.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("asset ", asset.id(), " cannot change its supplier while ",
                       Users({}, agents), " of another supplier are bound to it"));
    }
  }
  return absl::OkStatus();
}

absl::Status RegistryModel::CheckAssetDeletable(absl::string_view asset_id) const {
  if (!assets_.contains(asset_id)) {
    return absl::NotFoundError(absl::StrCat("no asset '", ShownId(asset_id), "'"));
  }
  std::vector<std::string> bound;
  for (const auto& [agent_id, binding] : agents_) {
    if (binding->asset_ids.contains(asset_id)) bound.push_back(agent_id);
  }
  if (!bound.empty()) {
    std::sort(bound.begin(), bound.end());
    return absl::FailedPreconditionError(absl::StrCat("asset ", asset_id, " is bound to agents ",
                                                      absl::StrJoin(bound, ", "),
                                                      "; unbind it first"));
  }
  std::vector<std::string> dependents;
  for (const auto& [id, entry] : assets_) {
    const auto& dependencies = entry.asset.dependency_ids();
    if (std::find(dependencies.begin(), dependencies.end(), asset_id) != dependencies.end()) {
      dependents.push_back(id);
    }
  }
  if (!dependents.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("asset ", asset_id, " is a dependency of ",
                                                      Users(dependents, {}),
                                                      "; remove those dependencies first"));
  }
  return absl::OkStatus();
}

absl::Status RegistryModel::CheckAgentBindings(const v1::Agent& agent) const {
  const std::string tenant_id = AgentTenant(agent);
  auto tenant = tenants_.find(tenant_id);
  if (tenant == tenants_.end()) {
    return absl::NotFoundError(
        absl::StrCat("agent ", agent.id(), ": no tenant '", ShownId(tenant_id), "'"));
  }
  const bool supplier = tenant->second.kind() == v1::SUPPLIER;
  for (const std::string& asset_id : agent.asset_ids()) {
    auto asset = assets_.find(asset_id);
    if (asset == assets_.end()) {
      return absl::NotFoundError(
          absl::StrCat("agent ", agent.id(), ": no asset '", ShownId(asset_id), "' to bind"));
    }
    const std::string& operator_id = asset->second.asset.supplier_id();
    if (supplier && operator_id != tenant_id) {
      return absl::FailedPreconditionError(
          absl::StrCat("agent ", agent.id(), " reports for supplier ", tenant_id,
                       " and cannot be bound to asset ", asset_id, ", which ",
                       operator_id.empty() ? "the organisation runs itself"
                                           : absl::StrCat("supplier ", operator_id, " operates")));
    }
  }
  return absl::OkStatus();
}

absl::Status RegistryModel::CheckConsistent() const {
  for (const auto& [id, entry] : assets_) {
    if (absl::Status s = CheckAssetReferences(entry.asset); !s.ok()) return Inconsistent(s);
  }
  if (DependencyOrder().size() != assets_.size()) {
    return absl::DataLossError("stored registry is inconsistent: its dependencies form a cycle");
  }
  for (const auto& [id, binding] : agents_) {
    v1::Agent agent;
    agent.set_id(id);
    agent.set_tenant_id(binding->tenant_id);
    for (const std::string& asset_id : binding->asset_ids) agent.add_asset_ids(asset_id);
    if (absl::Status s = CheckAgentBindings(agent); !s.ok()) return Inconsistent(s);
  }
  return absl::OkStatus();
}

std::vector<std::string> RegistryModel::DependencyOrder() const {
  // Kahn's algorithm, always taking the smallest ready id.
  absl::flat_hash_map<std::string, int> unannounced;  // Dependencies not yet in `order`.
  absl::flat_hash_map<std::string, std::vector<std::string>> dependents;
  std::set<std::string> ready;
  for (const auto& [id, entry] : assets_) {
    int count = 0;
    for (const std::string& dependency : entry.asset.dependency_ids()) {
      if (!assets_.contains(dependency)) continue;
      ++count;
      dependents[dependency].push_back(id);
    }
    unannounced[id] = count;
    if (count == 0) ready.insert(id);
  }
  std::vector<std::string> order;
  order.reserve(assets_.size());
  while (!ready.empty()) {
    order.push_back(std::move(ready.extract(ready.begin()).value()));
    for (const std::string& dependent : dependents[order.back()]) {
      if (--unannounced[dependent] == 0) ready.insert(dependent);
    }
  }
  return order;
}

}  // namespace postura::collector
