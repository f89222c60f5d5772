#ifndef POSTURA_COLLECTOR_API_HISTORY_METRICS_H_
#define POSTURA_COLLECTOR_API_HISTORY_METRICS_H_

// The history recorder's figures (HistoryRecorderStats, collector/history/history_recorder.h)
// on the /metrics page: what it wrote, what waits, and what it dropped because its queues
// were full (scoring outran the disk). RenderMetrics (http_api.cc) calls it.
//
// Threading: a pure function of its arguments; `out` is the caller's.

#include "collector/api/prometheus_text.h"
#include "collector/history/history_recorder.h"

namespace postura::collector {

// Writes every family below:
//   postura_history_points_total{result}        counter, result written|dropped|downsampled
//   postura_history_gap_events_total{result}    counter, result opened|closed|dropped
//   postura_history_queued{queue}               gauge, queue changes|gap_events
//   postura_history_queued_bytes                gauge (at most max_queued_bytes, 16 MiB)
//   postura_history_write_errors_total          counter
void WriteHistoryMetrics(const HistoryRecorderStats& stats, PrometheusText& out);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_HISTORY_METRICS_H_
