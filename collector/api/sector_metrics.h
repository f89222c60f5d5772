#ifndef POSTURA_COLLECTOR_API_SECTOR_METRICS_H_
#define POSTURA_COLLECTOR_API_SECTOR_METRICS_H_

// Sector federation's figures on the /metrics page (docs/scale.md): what this
// organisation published to its sector (SectorPublisherStats), and on a sector
// collector what its feed took from the sector's stream (SectorFeedStats). RenderMetrics
// (http_api.cc) writes each only when that side is configured.
//
// Threading: pure functions of their arguments; `out` is the caller's.

#include "collector/api/prometheus_text.h"
#include "collector/sector/sector_feed.h"
#include "collector/sector/sector_publisher.h"

namespace postura::collector {

// Writes:
//   postura_sector_published_total        counter, summaries and removals the stream stored
//   postura_sector_publish_failures_total counter, rounds with a publication not stored
void WriteSectorPublisherMetrics(const SectorPublisherStats& stats, PrometheusText& out);

// Writes:
//   postura_sector_summaries_total{result}  counter, result applied|stale|refused
//   postura_sector_read_failures_total      counter, reads of the stream read again
//   postura_sector_stream_position          gauge, the stream sequence read last
void WriteSectorFeedMetrics(const SectorFeedStats& stats, PrometheusText& out);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_SECTOR_METRICS_H_
