#include "collector/api/replication_metrics.h"

namespace postura::collector {

void WriteReplicationMetrics(const ReplicationStats& stats, PrometheusText& out) {
  out.Family("postura_replication_batches_total",
             "Agents' batches given to the cluster's log: stored (and acknowledged), resends "
             "the log had already, refused because the log did not store them.",
             "counter");
  out.Sample("postura_replication_batches_total", {{"result", "appended"}},
             static_cast<double>(stats.appended));
  out.Sample("postura_replication_batches_total", {{"result", "duplicate"}},
             static_cast<double>(stats.append_duplicates));
  out.Sample("postura_replication_batches_total", {{"result", "refused"}},
             static_cast<double>(stats.append_failures));
  out.Family("postura_replication_applied_total",
             "Messages of the cluster's log applied to this collector's store.", "counter");
  out.Sample("postura_replication_applied_total", {}, static_cast<double>(stats.applied));
  out.Family("postura_replication_malformed_total",
             "Messages of the cluster's log skipped because they are not valid batches.",
             "counter");
  out.Sample("postura_replication_malformed_total", {}, static_cast<double>(stats.malformed));
  out.Family("postura_replication_apply_failures_total",
             "Reads of the cluster's log, or groups of it, that failed and were read again.",
             "counter");
  out.Sample("postura_replication_apply_failures_total", {},
             static_cast<double>(stats.apply_failures));
  out.Family("postura_replication_log_position",
             "Sequence of the last message of the cluster's log applied here since start.",
             "gauge");
  out.Sample("postura_replication_log_position", {}, static_cast<double>(stats.position));
}

}  // namespace postura::collector
