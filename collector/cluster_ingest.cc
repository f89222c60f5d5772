#include "collector/cluster_ingest.h"

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// Applies `change` to `registry`; after a delete of an agent or a tenant, revokes their
// credentials here too (each collector's are its own).
absl::Status ApplyHere(const v1::RegistryChange& change, Registry& registry,
                       CredentialStore& credentials) {
  if (absl::Status applied = registry.Apply(change); !applied.ok()) return applied;
  absl::StatusOr<int> revoked = 0;
  if (change.has_delete_agent()) revoked = credentials.RevokeAgent(change.delete_agent());
  if (change.has_delete_tenant()) revoked = credentials.RevokeTenant(change.delete_tenant());
  if (!revoked.ok() && !absl::IsNotFound(revoked.status())) {
    LOG(ERROR) << "cluster mode: revoking the credentials of what a registry change deleted: "
               << revoked.status();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ClusterIngest>> ClusterIngest::Start(const ClusterOptions& options,
                                                                    IngestWriter& writer,
                                                                    Registry& registry,
                                                                    CredentialStore& credentials) {
  std::unique_ptr<ClusterIngest> cluster(new ClusterIngest(registry));
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
  registry.RouteChangesThrough([ingest = cluster->ingest_.get()](const v1::RegistryChange& change) {
    return ingest->ChangeRegistry(change);
  });
  LOG(INFO) << "cluster mode: node " << options.node << ", ingest through NATS stream "
            << options.stream << " (" << options.replicas << " replicas)";
  return cluster;
}

ClusterIngest::~ClusterIngest() { registry_.RouteChangesThrough(nullptr); }

}  // namespace postura::collector
