#include "collector/api/history_metrics.h"

#include "gtest/gtest.h"

namespace postura::collector {
namespace {

TEST(HistoryMetricsTest, WritesWhatWasWrittenWhatWaitsAndWhatWasDropped) {
  HistoryRecorderStats stats;
  stats.points_written = 120;
  stats.points_dropped = 3;
  stats.points_downsampled = 40;
  stats.gaps_opened = 9;
  stats.gaps_closed = 7;
  stats.gap_events_dropped = 2;
  stats.queued_changes = 5;
  stats.queued_gap_events = 11;
  stats.queued_bytes = 4096;
  stats.write_errors = 1;

  PrometheusText out;
  WriteHistoryMetrics(stats, out);
  const std::string text = out.Take();
  for (const char* sample :
       {"postura_history_points_total{result=\"written\"} 120\n",
        "postura_history_points_total{result=\"dropped\"} 3\n",
        "postura_history_points_total{result=\"downsampled\"} 40\n",
        "postura_history_gap_events_total{result=\"opened\"} 9\n",
        "postura_history_gap_events_total{result=\"closed\"} 7\n",
        "postura_history_gap_events_total{result=\"dropped\"} 2\n",
        "postura_history_queued{queue=\"changes\"} 5\n",
        "postura_history_queued{queue=\"gap_events\"} 11\n", "postura_history_queued_bytes 4096\n",
        "postura_history_write_errors_total 1\n"}) {
    EXPECT_NE(text.find(sample), std::string::npos) << sample << " in\n" << text;
  }
  EXPECT_NE(text.find("# TYPE postura_history_queued_bytes gauge\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE postura_history_points_total counter\n"), std::string::npos);
}

}  // namespace
}  // namespace postura::collector
