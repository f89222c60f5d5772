#include "collector/cluster_ingest.h"

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace postura::collector {

absl::StatusOr<std::unique_ptr<ClusterIngest>> ClusterIngest::Start(const ClusterOptions& options,
                                                                    IngestWriter& writer,
                                                                    Registry& registry) {
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
      {.node = options.node, .apply_registry_change = [&registry](const v1::RegistryChange& c) {
         return registry.Apply(c);
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
