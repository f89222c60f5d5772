#include "collector/cluster_ingest.h"

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace postura::collector {

absl::StatusOr<std::unique_ptr<ClusterIngest>> ClusterIngest::Start(const ClusterOptions& options,
                                                                    IngestWriter& writer) {
  std::unique_ptr<ClusterIngest> cluster(new ClusterIngest());
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open({.servers = options.nats_servers,
                          .stream = options.stream,
                          .subject = absl::StrCat("postura.ingest.", options.stream),
                          .replicas = options.replicas});
  if (!log.ok()) return log.status();
  cluster->log_ = *std::move(log);
  absl::StatusOr<std::unique_ptr<ReplicatedIngest>> ingest =
      ReplicatedIngest::Start(*cluster->log_, writer, {.node = options.node});
  if (!ingest.ok()) return ingest.status();
  cluster->ingest_ = *std::move(ingest);
  LOG(INFO) << "cluster mode: node " << options.node << ", ingest through NATS stream "
            << options.stream << " (" << options.replicas << " replicas)";
  return cluster;
}

}  // namespace postura::collector
