#include "collector/registry.h"

#include <algorithm>
#include <deque>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collector/store_keys.h"
#include "common/target_proto.h"

namespace postura::collector {
namespace {

constexpr std::size_t kMaxNameBytes = 256;
constexpr int kMaxDependencies = 64;

// Ids are echoed in messages, so a hostile one is cut short.
absl::string_view Shown(absl::string_view id) { return id.substr(0, 160); }

absl::Status CheckId(absl::string_view what, absl::string_view id) {
  if (IsValidId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      what, " id '", Shown(id), "' is invalid: use 1 to 128 characters from A-Z a-z 0-9 . _ -"));
}

absl::Status CheckName(absl::string_view what, absl::string_view id, absl::string_view name) {
  if (!name.empty() && name.size() <= kMaxNameBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " ", id, ": name must be 1 to ", kMaxNameBytes, " bytes"));
}

ImplementationGroup GroupOf(const v1::Asset& asset) {
  return static_cast<ImplementationGroup>(asset.implementation_group() - v1::IG1);
}

std::string TenantOf(const v1::Agent& agent) {
  return agent.tenant_id().empty() ? std::string(kOrganizationTenantId) : agent.tenant_id();
}

// What is stored of an agent: its registration, without the read-only counters.
v1::Agent Registration(const v1::Agent& agent) {
  v1::Agent registration;
  registration.set_id(agent.id());
  *registration.mutable_asset_ids() = agent.asset_ids();
  registration.set_tenant_id(TenantOf(agent));
  return registration;
}

std::shared_ptr<const AgentBinding> MakeBinding(const v1::Agent& agent) {
  auto binding = std::make_shared<AgentBinding>();
  binding->agent_id = agent.id();
  binding->asset_ids.insert(agent.asset_ids().begin(), agent.asset_ids().end());
  binding->tenant_id = TenantOf(agent);
  return binding;
}

// "assets a, b and agents c"; empty when both lists are.
std::string Users(std::vector<std::string> assets, std::vector<std::string> agents) {
  std::vector<std::string> parts;
  std::sort(assets.begin(), assets.end());
  std::sort(agents.begin(), agents.end());
  if (!assets.empty()) parts.push_back(absl::StrCat("assets ", absl::StrJoin(assets, ", ")));
  if (!agents.empty()) parts.push_back(absl::StrCat("agents ", absl::StrJoin(agents, ", ")));
  return absl::StrJoin(parts, " and ");
}

// Parses each registry record under `prefix` as a `Record` and passes it, with the id in
// its key, to `use`. DataLoss for a record that does not parse.
template <typename Record, typename Use>
absl::Status ForEachStored(const EvidenceStore& store, absl::string_view prefix, Use use) {
  return store.ForEachRegistryRecord(prefix, [&](absl::string_view id, absl::string_view value) {
    Record record;
    if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError(absl::StrCat("corrupt registry record ", prefix, Shown(id)));
    }
    return use(id, record);
  });
}

absl::Status KeyMismatch(absl::string_view prefix, absl::string_view id) {
  return absl::DataLossError(
      absl::StrCat("registry record ", prefix, Shown(id), " holds another record's id"));
}

}  // namespace

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

absl::StatusOr<std::unique_ptr<Registry>> Registry::Load(EvidenceStore& store,
                                                         const Catalog& catalog) {
  std::unique_ptr<Registry> registry(new Registry(store, catalog));
  absl::MutexLock lock(&registry->mu_);
  if (absl::Status s = registry->LoadRecords(); !s.ok()) return s;
  if (!registry->tenants_.contains(kOrganizationTenantId)) {
    v1::Tenant organization;
    organization.set_id(std::string(kOrganizationTenantId));
    organization.set_name("Organisation");
    organization.set_kind(v1::ORGANIZATION);
    if (absl::Status s = store.PutRegistryRecord(TenantKey(organization.id()), organization);
        !s.ok()) {
      return s;
    }
    registry->tenants_.emplace(organization.id(), organization);
  }
  if (absl::Status s = registry->CheckLoadedReferences(); !s.ok()) return s;
  return registry;
}

absl::Status Registry::LoadRecords() {
  absl::Status s = ForEachStored<v1::Tenant>(store_, kTenantKeyPrefix,
                                             [&](absl::string_view id, v1::Tenant& tenant) {
                                               if (tenant.id() != id)
                                                 return KeyMismatch(kTenantKeyPrefix, id);
                                               tenants_.emplace(tenant.id(), std::move(tenant));
                                               return absl::OkStatus();
                                             });
  if (!s.ok()) return s;
  s = ForEachStored<v1::Department>(store_, kDepartmentKeyPrefix,
                                    [&](absl::string_view id, v1::Department& department) {
                                      if (department.id() != id)
                                        return KeyMismatch(kDepartmentKeyPrefix, id);
                                      departments_.emplace(department.id(), std::move(department));
                                      return absl::OkStatus();
                                    });
  if (!s.ok()) return s;
  s = ForEachStored<v1::Asset>(store_, kAssetKeyPrefix,
                               [&](absl::string_view id, v1::Asset& asset) {
                                 if (asset.id() != id) return KeyMismatch(kAssetKeyPrefix, id);
                                 assets_[asset.id()].asset = std::move(asset);
                                 return absl::OkStatus();
                               });
  if (!s.ok()) return s;
  s = ForEachStored<v1::PutTargetsRequest>(
      store_, kTargetsKeyPrefix, [&](absl::string_view id, v1::PutTargetsRequest& record) {
        auto it = assets_.find(id);
        if (it == assets_.end()) {
          return absl::DataLossError(absl::StrCat("stored targets of missing asset ", Shown(id)));
        }
        AssetEntry& entry = it->second;
        for (int i = 0; i < record.targets_size(); ++i) {
          absl::StatusOr<Target> target = TargetFromProto(catalog_, record.targets(i));
          if (!target.ok()) {
            return absl::FailedPreconditionError(absl::StrCat(
                "asset ", id, ": stored target ", i, " does not fit catalog ", catalog_.name(),
                " v", catalog_.version(), ": ", target.status().message()));
          }
          entry.targets.push_back(*target);
        }
        if (absl::Status valid = ValidateTargets(catalog_, GroupOf(entry.asset), entry.targets);
            !valid.ok()) {
          return absl::FailedPreconditionError(
              absl::StrCat("asset ", id, ": stored targets do not fit catalog ", catalog_.name(),
                           " v", catalog_.version(), ": ", valid.message()));
        }
        entry.target_protos.assign(record.targets().begin(), record.targets().end());
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return ForEachStored<v1::Agent>(store_, kAgentKeyPrefix,
                                  [&](absl::string_view id, v1::Agent& agent) {
                                    if (agent.id() != id) return KeyMismatch(kAgentKeyPrefix, id);
                                    agents_[agent.id()] = MakeBinding(agent);
                                    return absl::OkStatus();
                                  });
}

absl::Status Registry::CheckLoadedReferences() const {
  for (const auto& [id, entry] : assets_) {
    if (absl::Status s = CheckAssetReferences(entry.asset); !s.ok()) {
      return absl::DataLossError(absl::StrCat("stored registry is inconsistent: ", s.message()));
    }
  }
  if (DependencyOrder().size() != assets_.size()) {
    return absl::DataLossError("stored registry is inconsistent: its dependencies form a cycle");
  }
  for (const auto& [id, binding] : agents_) {
    v1::Agent agent;
    agent.set_id(id);
    agent.set_tenant_id(binding->tenant_id);
    for (const std::string& asset_id : binding->asset_ids) agent.add_asset_ids(asset_id);
    if (absl::Status s = CheckAgentBindings(agent); !s.ok()) {
      return absl::DataLossError(absl::StrCat("stored registry is inconsistent: ", s.message()));
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------
// Tenants

absl::Status Registry::PutTenant(const v1::Tenant& tenant) {
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
  absl::MutexLock lock(&mu_);
  auto it = tenants_.find(tenant.id());
  if (it != tenants_.end() && it->second.kind() != tenant.kind()) {
    if (std::string users = TenantUsers(tenant.id()); !users.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "tenant ", tenant.id(), " cannot change its kind while ", users, " refer to it"));
    }
  }
  if (absl::Status s = store_.PutRegistryRecord(TenantKey(tenant.id()), tenant); !s.ok()) {
    return s;
  }
  tenants_[tenant.id()] = tenant;
  return absl::OkStatus();
}

absl::Status Registry::DeleteTenant(absl::string_view tenant_id) {
  if (tenant_id == kOrganizationTenantId) {
    return absl::InvalidArgumentError(absl::StrCat("tenant ", kOrganizationTenantId,
                                                   " is the organisation and cannot be deleted"));
  }
  absl::MutexLock lock(&mu_);
  auto it = tenants_.find(tenant_id);
  if (it == tenants_.end()) {
    return absl::NotFoundError(absl::StrCat("no tenant '", Shown(tenant_id), "'"));
  }
  if (std::string users = TenantUsers(it->first); !users.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("tenant ", tenant_id, " is still used by ", users));
  }
  if (absl::Status s = store_.DeleteRegistryRecords({TenantKey(tenant_id)}); !s.ok()) return s;
  tenants_.erase(it);
  return absl::OkStatus();
}

std::vector<v1::Tenant> Registry::ListTenants() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Tenant> tenants;
  for (const auto& [id, tenant] : tenants_) tenants.push_back(tenant);
  return tenants;
}

std::optional<v1::Tenant> Registry::FindTenant(absl::string_view tenant_id) const {
  absl::MutexLock lock(&mu_);
  auto it = tenants_.find(tenant_id);
  if (it == tenants_.end()) return std::nullopt;
  return it->second;
}

std::string Registry::TenantUsers(const std::string& tenant_id) const {
  std::vector<std::string> assets, agents;
  for (const auto& [id, entry] : assets_) {
    if (entry.asset.supplier_id() == tenant_id) assets.push_back(id);
  }
  for (const auto& [id, binding] : agents_) {
    if (binding->tenant_id == tenant_id) agents.push_back(id);
  }
  return Users(std::move(assets), std::move(agents));
}

// ---------------------------------------------------------------------------------------
// Departments

absl::Status Registry::PutDepartment(const v1::Department& department) {
  if (absl::Status s = CheckId("department", department.id()); !s.ok()) return s;
  if (absl::Status s = CheckName("department", department.id(), department.name()); !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&mu_);
  if (absl::Status s = store_.PutRegistryRecord(DepartmentKey(department.id()), department);
      !s.ok()) {
    return s;
  }
  departments_[department.id()] = department;
  return absl::OkStatus();
}

absl::Status Registry::DeleteDepartment(absl::string_view department_id) {
  absl::MutexLock lock(&mu_);
  auto it = departments_.find(department_id);
  if (it == departments_.end()) {
    return absl::NotFoundError(absl::StrCat("no department '", Shown(department_id), "'"));
  }
  std::vector<std::string> assets;
  for (const auto& [id, entry] : assets_) {
    if (entry.asset.department_id() == department_id) assets.push_back(id);
  }
  if (!assets.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("department ", department_id, " still owns ", Users(assets, {})));
  }
  if (absl::Status s = store_.DeleteRegistryRecords({DepartmentKey(department_id)}); !s.ok()) {
    return s;
  }
  departments_.erase(it);
  return absl::OkStatus();
}

std::vector<v1::Department> Registry::ListDepartments() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Department> departments;
  for (const auto& [id, department] : departments_) departments.push_back(department);
  return departments;
}

std::optional<v1::Department> Registry::FindDepartment(absl::string_view department_id) const {
  absl::MutexLock lock(&mu_);
  auto it = departments_.find(department_id);
  if (it == departments_.end()) return std::nullopt;
  return it->second;
}

// ---------------------------------------------------------------------------------------
// Assets

absl::Status Registry::PutAsset(const v1::Asset& asset) {
  const std::string& id = asset.id();
  if (absl::Status s = CheckId("asset", id); !s.ok()) return s;
  if (absl::Status s = CheckName("asset", id, asset.name()); !s.ok()) return s;
  if (asset.implementation_group() < v1::IG1 || asset.implementation_group() > v1::IG3) {
    return absl::InvalidArgumentError(
        absl::StrCat("asset ", id, ": implementation_group must be IG1, IG2 or IG3"));
  }
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
          absl::StrCat("asset ", id, ": dependency '", Shown(dependency), "' is listed twice"));
    }
  }
  absl::MutexLock lock(&mu_);
  if (absl::Status s = CheckAssetReferences(asset); !s.ok()) return s;
  if (absl::Status s = CheckNoCycle(asset); !s.ok()) return s;
  if (absl::Status s = CheckAssetChange(asset); !s.ok()) return s;
  if (absl::Status s = store_.PutRegistryRecord(AssetKey(id), asset); !s.ok()) return s;
  AssetEntry& entry = assets_[id];
  entry.asset = asset;
  if (observer_ != nullptr) observer_->OnAssetPut(entry.asset, entry.targets);
  return absl::OkStatus();
}

absl::Status Registry::CheckAssetReferences(const v1::Asset& asset) const {
  const std::string& id = asset.id();
  if (!asset.department_id().empty() && !departments_.contains(asset.department_id())) {
    return absl::NotFoundError(
        absl::StrCat("asset ", id, ": no department '", Shown(asset.department_id()), "'"));
  }
  if (!asset.supplier_id().empty()) {
    auto supplier = tenants_.find(asset.supplier_id());
    if (supplier == tenants_.end()) {
      return absl::NotFoundError(
          absl::StrCat("asset ", id, ": no supplier tenant '", Shown(asset.supplier_id()), "'"));
    }
    if (supplier->second.kind() != v1::SUPPLIER) {
      return absl::InvalidArgumentError(
          absl::StrCat("asset ", id, ": tenant ", supplier->first, " is not a SUPPLIER"));
    }
  }
  for (const std::string& dependency : asset.dependency_ids()) {
    if (!assets_.contains(dependency)) {
      return absl::NotFoundError(
          absl::StrCat("asset ", id, ": no asset '", Shown(dependency), "' to depend on"));
    }
  }
  return absl::OkStatus();
}

absl::Status Registry::CheckNoCycle(const v1::Asset& asset) const {
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

absl::Status Registry::CheckAssetChange(const v1::Asset& asset) const {
  auto it = assets_.find(asset.id());
  if (it == assets_.end()) return absl::OkStatus();
  const AssetEntry& old = it->second;
  if (old.asset.implementation_group() != asset.implementation_group()) {
    const ImplementationGroup group = GroupOf(asset);
    if (absl::Status s = ValidateTargets(catalog_, group, old.targets); !s.ok()) {
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

absl::Status Registry::DeleteAsset(absl::string_view asset_id) {
  absl::MutexLock lock(&mu_);
  auto it = assets_.find(asset_id);
  if (it == assets_.end()) {
    return absl::NotFoundError(absl::StrCat("no asset '", Shown(asset_id), "'"));
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
  if (absl::Status s = store_.DeleteAsset(asset_id); !s.ok()) return s;
  const std::string id = it->first;
  assets_.erase(it);
  if (observer_ != nullptr) observer_->OnAssetDeleted(id);
  return absl::OkStatus();
}

std::vector<v1::Asset> Registry::ListAssets() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Asset> assets;
  assets.reserve(assets_.size());
  for (const auto& [id, entry] : assets_) assets.push_back(entry.asset);
  return assets;
}

std::optional<v1::Asset> Registry::FindAsset(absl::string_view asset_id) const {
  absl::MutexLock lock(&mu_);
  auto it = assets_.find(asset_id);
  if (it == assets_.end()) return std::nullopt;
  return it->second.asset;
}

std::vector<std::string> Registry::DependencyOrder() const {
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

// ---------------------------------------------------------------------------------------
// Targets

absl::Status Registry::PutTargets(absl::string_view asset_id,
                                  const std::vector<v1::Target>& targets) {
  std::vector<Target> resolved;
  resolved.reserve(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    absl::StatusOr<Target> target = TargetFromProto(catalog_, targets[i]);
    if (!target.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("asset ", Shown(asset_id), ": target ", i, ": ", target.status().message()));
    }
    resolved.push_back(*target);
  }
  absl::MutexLock lock(&mu_);
  auto it = assets_.find(asset_id);
  if (it == assets_.end()) {
    return absl::NotFoundError(absl::StrCat("no asset '", Shown(asset_id), "'"));
  }
  AssetEntry& entry = it->second;
  if (absl::Status s = ValidateTargets(catalog_, GroupOf(entry.asset), resolved); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("asset ", asset_id, ": ", s.message()));
  }
  v1::PutTargetsRequest record;
  record.set_asset_id(entry.asset.id());
  for (const Target& target : resolved) *record.add_targets() = TargetToProto(catalog_, target);
  absl::Status written = resolved.empty() ? store_.DeleteRegistryRecords({TargetsKey(asset_id)})
                                          : store_.PutRegistryRecord(TargetsKey(asset_id), record);
  if (!written.ok()) return written;
  entry.target_protos.assign(record.targets().begin(), record.targets().end());
  entry.targets = std::move(resolved);
  if (observer_ != nullptr) observer_->OnAssetPut(entry.asset, entry.targets);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Target>> Registry::GetTargets(absl::string_view asset_id) const {
  absl::MutexLock lock(&mu_);
  auto it = assets_.find(asset_id);
  if (it == assets_.end()) {
    return absl::NotFoundError(absl::StrCat("no asset '", Shown(asset_id), "'"));
  }
  return it->second.target_protos;
}

// ---------------------------------------------------------------------------------------
// Agents

absl::Status Registry::PutAgent(const v1::Agent& agent) {
  if (absl::Status s = CheckId("agent", agent.id()); !s.ok()) return s;
  const v1::Agent registration = Registration(agent);
  absl::MutexLock lock(&mu_);
  if (absl::Status s = CheckAgentBindings(registration); !s.ok()) return s;
  if (absl::Status s = store_.PutRegistryRecord(AgentKey(agent.id()), registration); !s.ok()) {
    return s;
  }
  agents_[agent.id()] = MakeBinding(registration);
  return absl::OkStatus();
}

absl::Status Registry::CheckAgentBindings(const v1::Agent& agent) const {
  const std::string tenant_id = TenantOf(agent);
  auto tenant = tenants_.find(tenant_id);
  if (tenant == tenants_.end()) {
    return absl::NotFoundError(
        absl::StrCat("agent ", agent.id(), ": no tenant '", Shown(tenant_id), "'"));
  }
  const bool supplier = tenant->second.kind() == v1::SUPPLIER;
  for (const std::string& asset_id : agent.asset_ids()) {
    auto asset = assets_.find(asset_id);
    if (asset == assets_.end()) {
      return absl::NotFoundError(
          absl::StrCat("agent ", agent.id(), ": no asset '", Shown(asset_id), "' to bind"));
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

absl::Status Registry::DeleteAgent(absl::string_view agent_id) {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(agent_id);
  if (it == agents_.end()) {
    return absl::NotFoundError(absl::StrCat("no agent '", Shown(agent_id), "'"));
  }
  if (absl::Status s = store_.DeleteRegistryRecords({AgentKey(agent_id)}); !s.ok()) return s;
  agents_.erase(it);
  return absl::OkStatus();
}

std::vector<v1::Agent> Registry::ListAgents() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Agent> agents;
  agents.reserve(agents_.size());
  for (const auto& [id, binding] : agents_) {
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
  auto it = agents_.find(agent_id);
  return it == agents_.end() ? nullptr : it->second;
}

// ---------------------------------------------------------------------------------------
// Observer

void Registry::SetObserver(RegistryObserver* observer) {
  absl::MutexLock lock(&mu_);
  observer_ = observer;
  if (observer_ == nullptr) return;
  for (const std::string& id : DependencyOrder()) {
    const AssetEntry& entry = assets_.find(id)->second;
    observer_->OnAssetPut(entry.asset, entry.targets);
  }
}

}  // namespace postura::collector
