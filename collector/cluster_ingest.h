#ifndef POSTURA_COLLECTOR_CLUSTER_INGEST_H_
#define POSTURA_COLLECTOR_CLUSTER_INGEST_H_

// Cluster mode's ingest, when the config has a cluster section (docs/scale.md): the
// connection to the replicated log and the sink in front of the local writer that
// acknowledges batches once the log stored them and applies the log to the store; and
// the changes of the registry and of the credentials, routed through the same log so
// that every collector of the cluster applies them in the same order.

#include <memory>

#include "absl/status/statusor.h"
#include "collector/access/credential_store.h"
#include "collector/collector_config.h"
#include "collector/registry/registry.h"
#include "collector/replication/replicated_ingest.h"

namespace postura::collector {

class ClusterIngest {
 public:
  // Connects to cluster.nats_servers, makes sure the stream exists as configured, and
  // starts applying it to `writer`, `registry` and `credentials`, whose changes it routes
  // through the log from then on; where it applies the delete of an agent or a tenant, it
  // revokes their credentials too (all borrowed; they must outlive this). Unavailable if
  // no NATS server answers, FailedPrecondition for a stream configured otherwise: the
  // collector does not start half a cluster member.
  static absl::StatusOr<std::unique_ptr<ClusterIngest>> Start(const ClusterOptions& options,
                                                              IngestWriter& writer,
                                                              Registry& registry,
                                                              CredentialStore& credentials);
  ~ClusterIngest();  // The registry and the credentials apply their changes directly again.

  BatchSink& sink() { return *ingest_; }
  ReplicationStats stats() const { return ingest_->stats(); }

 private:
  ClusterIngest(Registry& registry, CredentialStore& credentials)
      : registry_(registry), credentials_(credentials) {}
  Registry& registry_;
  CredentialStore& credentials_;
  std::unique_ptr<JetStreamLog> log_;
  std::unique_ptr<ReplicatedIngest> ingest_;  // Declared after the log: destroyed before it.
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_CLUSTER_INGEST_H_
