#include "collector/api/history_metrics.h"

namespace postura::collector {

void WriteHistoryMetrics(const HistoryRecorderStats& stats, PrometheusText& out) {
  out.Family("postura_history_points_total",
             "Score history points: written, dropped because the queue was full, deleted by "
             "downsampling.",
             "counter");
  out.Sample("postura_history_points_total", {{"result", "written"}},
             static_cast<double>(stats.points_written));
  out.Sample("postura_history_points_total", {{"result", "dropped"}},
             static_cast<double>(stats.points_dropped));
  out.Sample("postura_history_points_total", {{"result", "downsampled"}},
             static_cast<double>(stats.points_downsampled));
  out.Family("postura_history_gap_events_total",
             "Gap crossings: episodes opened and closed in the store, crossings dropped because "
             "the queue was full (a restart reconciles the episodes).",
             "counter");
  out.Sample("postura_history_gap_events_total", {{"result", "opened"}},
             static_cast<double>(stats.gaps_opened));
  out.Sample("postura_history_gap_events_total", {{"result", "closed"}},
             static_cast<double>(stats.gaps_closed));
  out.Sample("postura_history_gap_events_total", {{"result", "dropped"}},
             static_cast<double>(stats.gap_events_dropped));
  out.Family("postura_history_queued", "Changes and gap crossings waiting to be written.", "gauge");
  out.Sample("postura_history_queued", {{"queue", "changes"}},
             static_cast<double>(stats.queued_changes));
  out.Sample("postura_history_queued", {{"queue", "gap_events"}},
             static_cast<double>(stats.queued_gap_events));
  out.Family("postura_history_queued_bytes", "Memory of the history recorder's queues.", "gauge");
  out.Sample("postura_history_queued_bytes", {}, static_cast<double>(stats.queued_bytes));
  out.Family("postura_history_write_errors_total", "History writes the store refused.", "counter");
  out.Sample("postura_history_write_errors_total", {}, static_cast<double>(stats.write_errors));
}

}  // namespace postura::collector
