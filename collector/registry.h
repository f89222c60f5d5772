#ifndef POSTURA_COLLECTOR_REGISTRY_H_
#define POSTURA_COLLECTOR_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/evidence_store.h"
#include "postura/v1/admin.pb.h"

namespace postura::collector {

// The assets an agent may report for, as of one moment. Immutable, so ingest can use a
// snapshot without holding the registry's lock.
struct AgentBinding {
  std::string agent_id;
  absl::flat_hash_set<std::string> asset_ids;
};

// Assets and agents, kept in memory and persisted in the store before a change is
// visible. Thread-safe. `store` is borrowed and must outlive the registry.
class Registry {
 public:
  // Loads the registry from `store`.
  static absl::StatusOr<std::unique_ptr<Registry>> Load(EvidenceStore& store);

  // Creates or replaces an asset. InvalidArgument for a bad id, empty name or missing
  // implementation group.
  absl::Status PutAsset(const v1::Asset& asset);
  // NotFound if absent; FailedPrecondition while an agent is bound to it.
  absl::Status DeleteAsset(const std::string& asset_id);
  std::vector<v1::Asset> ListAssets() const;

  // Creates an agent or replaces its bindings. InvalidArgument for a bad id;
  // NotFound naming the first bound asset that does not exist.
  absl::Status PutAgent(const v1::Agent& agent);
  absl::Status DeleteAgent(const std::string& agent_id);
  std::vector<v1::Agent> ListAgents() const;  // Bindings only, sorted by id.

  // The agent's current bindings; null if the agent is not registered.
  std::shared_ptr<const AgentBinding> FindAgent(const std::string& agent_id) const;

 private:
  explicit Registry(EvidenceStore& store) : store_(store) {}

  EvidenceStore& store_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, v1::Asset> assets_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::shared_ptr<const AgentBinding>> agents_
      ABSL_GUARDED_BY(mu_);
};

// True if `id` is a valid registry id: 1 to 128 characters from [A-Za-z0-9._-].
bool IsValidId(absl::string_view id);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REGISTRY_H_
