#ifndef POSTURA_COLLECTOR_REGISTRY_REGISTRY_H_
#define POSTURA_COLLECTOR_REGISTRY_REGISTRY_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "collector/registry/registry_model.h"
#include "collector/registry/registry_observer.h"
#include "collector/registry/registry_rules.h"
#include "collector/store/evidence_store.h"
#include "common/model/catalog.h"
#include "common/model/target.h"
#include "postura/v1/admin.pb.h"
#include "postura/v1/replication.pb.h"

namespace postura::collector {

// The registry: tenants, departments, assets with their dependencies and strategic
// targets, and agents with their bindings (postura/v1/admin.proto says what each is).
// Kept in memory; every change is validated, then persisted in the store with a synced
// write, and only then becomes visible. A change the store fails to write changes
// nothing. Invariants: every reference (an asset's department, supplier and dependencies,
// an agent's tenant and assets) names an existing record; dependencies form a DAG; every
// target applies to its asset's implementation group; a supplier's agent is bound only
// to assets that supplier operates; the tenant "org" exists. The rules are in
// registry_rules.h (one record) and registry_model.h (across records); reading the
// stored records back is registry_records.h. This class orders the steps, under its lock.
//
// In cluster mode every change goes through the cluster's log (RouteChangesThrough), so
// that every collector applies the same changes in the same order (Apply) and the
// registries agree; a change method then returns what applying it here gave.
//
// Thread-safe. `store` and `catalog` are borrowed and must outlive the registry.
class Registry {
 public:
  // Loads the registry from `store`, creating the tenant "org" (the organisation) there
  // if it is absent. DataLoss if a record is corrupt or breaks an invariant;
  // FailedPrecondition if stored targets do not fit `catalog`; Unavailable if the store
  // failed.
  static absl::StatusOr<std::unique_ptr<Registry>> Load(EvidenceStore& store,
                                                        const Catalog& catalog);

  // Creates a tenant or replaces its name. InvalidArgument for a bad id, a name that is
  // not 1 to 256 bytes, an unspecified kind, or "org" with a kind other than ORGANIZATION.
  // FailedPrecondition, naming the users, for a change of kind while assets or agents
  // refer to the tenant.
  absl::Status PutTenant(const v1::Tenant& tenant);
  // NotFound if absent; InvalidArgument for "org"; FailedPrecondition naming the assets
  // (as supplier) and agents that refer to it.
  absl::Status DeleteTenant(absl::string_view tenant_id);
  std::vector<v1::Tenant> ListTenants() const;  // Sorted by id.
  std::optional<v1::Tenant> FindTenant(absl::string_view tenant_id) const;

  // Creates a department or replaces its name. InvalidArgument for a bad id or a name that
  // is not 1 to 256 bytes.
  absl::Status PutDepartment(const v1::Department& department);
  // NotFound if absent; FailedPrecondition naming the assets it owns.
  absl::Status DeleteDepartment(absl::string_view department_id);
  std::vector<v1::Department> ListDepartments() const;  // Sorted by id.
  std::optional<v1::Department> FindDepartment(absl::string_view department_id) const;

  // Creates or replaces an asset; its targets stay. InvalidArgument for a bad id, a name
  // that is not 1 to 256 bytes, a missing implementation group, more than 64 dependencies,
  // a repeated dependency or one on itself, a supplier tenant that is not a SUPPLIER, or a
  // change of group that would leave a target inapplicable (naming the target). NotFound
  // naming a department, supplier or dependency that does not exist. FailedPrecondition
  // naming the cycle ("dependency cycle: a -> b -> a") if a dependency would close one,
  // or naming the agents of another supplier still bound to it when its supplier changes.
  absl::Status PutAsset(const v1::Asset& asset);
  // Deletes the asset, its targets and its current state (its evidence log stays).
  // NotFound if absent; FailedPrecondition naming the agents bound to it or the assets
  // that depend on it.
  absl::Status DeleteAsset(absl::string_view asset_id);
  std::vector<v1::Asset> ListAssets() const;  // Sorted by id.
  std::optional<v1::Asset> FindAsset(absl::string_view asset_id) const;

  // Replaces all of the asset's targets (an empty list removes them). NotFound if there is
  // no such asset; InvalidArgument naming the target ("target 2: ...") if one is malformed
  // (see TargetFromProto), does not apply to the asset's group, or shares its scope with
  // another.
  absl::Status PutTargets(absl::string_view asset_id, const std::vector<v1::Target>& targets);
  // The asset's targets, in the order they were put. NotFound if there is no such asset.
  absl::StatusOr<std::vector<v1::Target>> GetTargets(absl::string_view asset_id) const;

  // Creates an agent or replaces its bindings and tenant (empty means "org"; stored as
  // "org"). InvalidArgument for a bad id; NotFound naming a tenant or bound asset that does
  // not exist; FailedPrecondition naming a bound asset that the agent's supplier tenant
  // does not operate.
  absl::Status PutAgent(const v1::Agent& agent);
  // NotFound if absent.
  absl::Status DeleteAgent(absl::string_view agent_id);
  // Id, bindings (sorted) and tenant of each agent, sorted by id.
  std::vector<v1::Agent> ListAgents() const;

  // The agent's current bindings; null if the agent is not registered.
  std::shared_ptr<const AgentBinding> FindAgent(const std::string& agent_id) const;

  // Makes `observer` (null for none) the one that learns of asset changes. Under the lock,
  // first announces every existing asset with OnAssetPut, dependencies before dependents
  // and otherwise by id; then calls OnAssetPut after each successful PutAsset and
  // PutTargets and OnAssetDeleted after each successful DeleteAsset. `observer` must
  // outlive the registry or be replaced first.
  void SetObserver(RegistryObserver* observer);

  // Where the change methods above send their change instead of applying it: `router`
  // must have it applied here through Apply (after the cluster's log stored it) and return
  // what Apply returned. Null applies changes directly (the default). Called outside the
  // registry's lock.
  using ChangeRouter = std::function<absl::Status(const v1::RegistryChange&)>;
  void RouteChangesThrough(ChangeRouter router) ABSL_LOCKS_EXCLUDED(router_mu_);

  // Applies `change` here, as the method of its name does without a router.
  // InvalidArgument for a change that names no method of the registry.
  absl::Status Apply(const v1::RegistryChange& change);

 private:
  Registry(EvidenceStore& store, const Catalog& catalog) : store_(store), catalog_(catalog) {}

  // Routes `change`, or applies it without a router.
  absl::Status Change(const v1::RegistryChange& change) ABSL_LOCKS_EXCLUDED(router_mu_);
  absl::Status LocalPutTenant(const v1::Tenant& tenant);
  absl::Status LocalDeleteTenant(absl::string_view tenant_id);
  absl::Status LocalPutDepartment(const v1::Department& department);
  absl::Status LocalDeleteDepartment(absl::string_view department_id);
  absl::Status LocalPutAsset(const v1::Asset& asset);
  absl::Status LocalDeleteAsset(absl::string_view asset_id);
  absl::Status LocalPutTargets(absl::string_view asset_id, const std::vector<v1::Target>& targets);
  absl::Status LocalPutAgent(const v1::Agent& agent);
  absl::Status LocalDeleteAgent(absl::string_view agent_id);

  EvidenceStore& store_;
  const Catalog& catalog_;
  mutable absl::Mutex mu_;
  RegistryModel model_ ABSL_GUARDED_BY(mu_);
  RegistryObserver* observer_ ABSL_GUARDED_BY(mu_) = nullptr;
  mutable absl::Mutex router_mu_;
  ChangeRouter router_ ABSL_GUARDED_BY(router_mu_);
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REGISTRY_REGISTRY_H_
