#include "collector/api/replication_metrics.h"

#include "gtest/gtest.h"

namespace postura::collector {
namespace {

TEST(ReplicationMetricsTest, WritesWhatTheLogStoredRefusedAndHowFarItIsApplied) {
  ReplicationStats stats;
  stats.appended = 120;
  stats.append_duplicates = 3;
  stats.append_failures = 2;
  stats.applied = 118;
  stats.malformed = 1;
  stats.apply_failures = 4;
  stats.position = 125;

  PrometheusText out;
  WriteReplicationMetrics(stats, out);
  const std::string text = out.Take();
  for (const char* sample :
       {"postura_replication_batches_total{result=\"appended\"} 120\n",
        "postura_replication_batches_total{result=\"duplicate\"} 3\n",
        "postura_replication_batches_total{result=\"refused\"} 2\n",
        "postura_replication_applied_total 118\n", "postura_replication_malformed_total 1\n",
        "postura_replication_apply_failures_total 4\n", "postura_replication_log_position 125\n"}) {
    EXPECT_NE(text.find(sample), std::string::npos) << sample << " in\n" << text;
  }
  EXPECT_NE(text.find("# TYPE postura_replication_log_position gauge\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE postura_replication_batches_total counter\n"), std::string::npos);
}

}  // namespace
}  // namespace postura::collector
