#include "collector/api/sector_metrics.h"

namespace postura::collector {

void WriteSectorPublisherMetrics(const SectorPublisherStats& stats, PrometheusText& out) {
  out.Family("postura_sector_published_total",
             "Asset summaries and removals this organisation published that the sector's "
             "stream stored.",
             "counter");
  out.Sample("postura_sector_published_total", {}, static_cast<double>(stats.published));
  out.Family("postura_sector_publish_failures_total",
             "Publishing rounds in which the sector's stream did not store a summary (tried "
             "again next round).",
             "counter");
  out.Sample("postura_sector_publish_failures_total", {}, static_cast<double>(stats.failures));
}

void WriteSectorFeedMetrics(const SectorFeedStats& stats, PrometheusText& out) {
  out.Family("postura_sector_summaries_total",
             "Messages read from the sector's stream: summaries that changed the view, ones "
             "no newer than it, and refused ones (not a member, not its key, malformed).",
             "counter");
  out.Sample("postura_sector_summaries_total", {{"result", "applied"}},
             static_cast<double>(stats.applied));
  out.Sample("postura_sector_summaries_total", {{"result", "stale"}},
             static_cast<double>(stats.stale));
  out.Sample("postura_sector_summaries_total", {{"result", "refused"}},
             static_cast<double>(stats.refused));
  out.Family("postura_sector_read_failures_total",
             "Reads of the sector's stream that failed and were tried again.", "counter");
  out.Sample("postura_sector_read_failures_total", {}, static_cast<double>(stats.read_failures));
  out.Family("postura_sector_stream_position",
             "Sequence of the last message of the sector's stream read since start.", "gauge");
  out.Sample("postura_sector_stream_position", {}, static_cast<double>(stats.position));
}

}  // namespace postura::collector
