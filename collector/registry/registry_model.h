#ifndef POSTURA_COLLECTOR_REGISTRY_REGISTRY_MODEL_H_
#define POSTURA_COLLECTOR_REGISTRY_REGISTRY_MODEL_H_

// The registry's records in memory, and the invariants that span records: every
// reference (an asset's department, supplier and dependencies, an agent's tenant and
// assets) names an existing record, dependencies form a DAG, a supplier's agent is bound
// only to assets that supplier operates, and a record still referred to is not deleted.
// Registry keeps one model under its lock: it checks each change against the model,
// stores it, then applies it here. ReadRegistryRecords (registry_records.h) builds one
// from the store.
//
// Threading: not thread-safe; the owner serialises every call.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "collector/registry/registry_rules.h"
#include "common/model/catalog.h"
#include "common/model/target.h"
#include "postura/v1/admin.pb.h"

namespace postura::collector {

// The assets an agent may report for, as of one moment. Immutable, so ingest can use a
// snapshot without holding the registry's lock.
struct AgentBinding {
  std::string agent_id;
  absl::flat_hash_set<std::string> asset_ids;
  std::string tenant_id = std::string(kOrganizationTenantId);  // Who it reports for.
};

// An asset with its strategic targets.
struct RegisteredAsset {
  v1::Asset asset;
  std::vector<v1::Target> target_protos;  // As stored and returned by GetTargets.
  std::vector<Target> targets;            // The same, resolved in the catalog.
};

class RegistryModel {
 public:
  // Records by id, sorted.
  template <typename Record>
  using ById = std::map<std::string, Record, std::less<>>;
  using Bindings = absl::flat_hash_map<std::string, std::shared_ptr<const AgentBinding>>;

  const ById<v1::Tenant>& tenants() const { return tenants_; }
  const ById<v1::Department>& departments() const { return departments_; }
  const ById<RegisteredAsset>& assets() const { return assets_; }
  const Bindings& agents() const { return agents_; }

  // Changes. They check nothing: the caller has run the checks below first.
  void PutTenant(const v1::Tenant& tenant) { tenants_[tenant.id()] = tenant; }
  void EraseTenant(absl::string_view tenant_id);
  void PutDepartment(const v1::Department& department);
  void EraseDepartment(absl::string_view department_id);
  // Creates the asset or replaces its record; its targets stay.
  const RegisteredAsset& PutAsset(const v1::Asset& asset);
  // REQUIRES: the asset exists.
  const RegisteredAsset& SetTargets(absl::string_view asset_id,
                                    std::vector<v1::Target> target_protos,
                                    std::vector<Target> targets);
  void EraseAsset(absl::string_view asset_id);
  // Binds the agent as `agent` says (tenant as AgentTenant says).
  void PutAgent(const v1::Agent& agent);
  void EraseAgent(absl::string_view agent_id);

  // FailedPrecondition, naming the assets and agents that refer to the tenant, if
  // `tenant` changes an existing tenant's kind while any do.
  absl::Status CheckTenantChange(const v1::Tenant& tenant) const;
  // NotFound if absent; FailedPrecondition naming the assets (as supplier) and agents
  // that refer to it.
  absl::Status CheckTenantDeletable(absl::string_view tenant_id) const;
  // NotFound if absent; FailedPrecondition naming the assets it owns.
  absl::Status CheckDepartmentDeletable(absl::string_view department_id) const;
  // NotFound naming a department, supplier or dependency that does not exist;
  // InvalidArgument for a supplier tenant that is not a SUPPLIER.
  absl::Status CheckAssetReferences(const v1::Asset& asset) const;
  // FailedPrecondition naming the cycle ("dependency cycle: a -> b -> a") if the
  // asset's dependencies would close one. REQUIRES: its dependencies exist.
  absl::Status CheckNoCycle(const v1::Asset& asset) const;
  // For a replaced asset: InvalidArgument naming the target if a change of group would
  // leave one inapplicable in `catalog`; FailedPrecondition naming the agents of another
  // supplier still bound to it if its supplier changes.
  absl::Status CheckAssetChange(const v1::Asset& asset, const Catalog& catalog) const;
  // NotFound if absent; FailedPrecondition naming the agents bound to it or the assets
  // that depend on it.
  absl::Status CheckAssetDeletable(absl::string_view asset_id) const;
  // NotFound naming a tenant or bound asset that does not exist; FailedPrecondition
  // naming a bound asset that the agent's supplier tenant does not operate.
  absl::Status CheckAgentBindings(const v1::Agent& agent) const;
  // Every invariant over every record, as after loading: DataLoss naming the first one
  // broken ("stored registry is inconsistent: ...").
  absl::Status CheckConsistent() const;

  // Every asset id, dependencies before dependents and otherwise by id. Ids caught in a
  // cycle (impossible once checked) are left out.
  std::vector<std::string> DependencyOrder() const;

 private:
  // Assets and agents that refer to the tenant, as "assets a, b and agents c" ("" if none).
  std::string TenantUsers(absl::string_view tenant_id) const;

  ById<v1::Tenant> tenants_;
  ById<v1::Department> departments_;
  ById<RegisteredAsset> assets_;
  Bindings agents_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REGISTRY_REGISTRY_MODEL_H_
