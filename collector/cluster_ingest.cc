#include "collector/cluster_ingest.h"

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// Applies `change` here: to `credentials` if it is theirs, else to `registry`; after a
// delete of an agent or a tenant, revokes their credentials too (at the same place in
// the log on every collector). The revocation follows the delete even when the registry
// finds nothing to delete: a delete applied again, after its revocation failed or was cut
// short by a crash, still ends the credentials.
absl::Status ApplyHere(const v1::RegistryChange& change, Registry& registry,
                       CredentialStore& credentials) {
  if (IsCredentialChange(change)) return credentials.Apply(change);
  const absl::Status applied = registry.Apply(change);
  v1::RegistryChange revocation;
  if (change.has_delete_agent()) revocation.set_revoke_agent_credentials(change.delete_agent());
  if (change.has_delete_tenant()) revocation.set_revoke_tenant_credentials(change.delete_tenant());
  const bool revokes = revocation.change_case() != v1::RegistryChange::CHANGE_NOT_SET;
  if (!revokes || !(applied.ok() || absl::IsNotFound(applied))) return applied;
  if (absl::Status revoked = credentials.Apply(revocation); !revoked.ok()) return revoked;
  return applied;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ClusterIngest>> ClusterIngest::Start(const ClusterOptions& options,
                                                                    IngestWriter& writer,
                                                                    Registry& registry,
                                                                    CredentialStore& credentials) {
  std::unique_ptr<ClusterIngest> cluster(new ClusterIngest(registry, credentials));
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open({.servers = options.nats_servers,
                          .stream = options.stream,
                          .subject = absl::StrCat("postura.ingest.", options.stream),
                          .replicas = options.replicas});
  if (!log.ok()) return log.status();
  cluster->log_ = *std::move(log);
  absl::StatusOr<std::unique_ptr<ReplicatedIngest>> ingest = ReplicatedIngest::Start(
      *cluster->log_, writer,
      {.node = options.node,
       .apply_registry_change = [&registry, &credentials](const v1::RegistryChange& change) {
         return ApplyHere(change, registry, credentials);
       }});
  if (!ingest.ok()) return ingest.status();
  cluster->ingest_ = *std::move(ingest);
  auto route = [ingest = cluster->ingest_.get()](const v1::RegistryChange& change) {
    return ingest->ChangeRegistry(change);
  };
  registry.RouteChangesThrough(route);
  credentials.RouteChangesThrough(route);
  LOG(INFO) << "cluster mode: node " << options.node << ", ingest through NATS stream "
            << options.stream << " (" << options.replicas << " replicas)";
  return cluster;
}

ClusterIngest::~ClusterIngest() {
  registry_.RouteChangesThrough(nullptr);
  credentials_.RouteChangesThrough(nullptr);
}

}  // namespace postura::collector
