#ifndef POSTURA_COLLECTOR_API_REPLICATION_METRICS_H_
#define POSTURA_COLLECTOR_API_REPLICATION_METRICS_H_

// Cluster mode's figures (ReplicationStats, collector/replication/replicated_ingest.h) on
// the /metrics page: batches the replicated log stored or refused, and how far this
// collector has applied the log (compare the position across collectors to see a replica
// lag). RenderMetrics (http_api.cc) calls it in cluster mode only.
//
// Threading: a pure function of its arguments; `out` is the caller's.

#include "collector/api/prometheus_text.h"
#include "collector/replication/replicated_ingest.h"

namespace postura::collector {

// Writes every family below:
//   postura_replication_batches_total{result}  counter, result appended|duplicate|refused
//   postura_replication_applied_total          counter, log messages applied to this store
//   postura_replication_malformed_total        counter, log messages skipped
//   postura_replication_apply_failures_total   counter, reads or groups read again
//   postura_replication_log_position           gauge, the last message applied here
void WriteReplicationMetrics(const ReplicationStats& stats, PrometheusText& out);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_REPLICATION_METRICS_H_
