#ifndef POSTURA_COMMON_BASE_LATENCY_HISTOGRAM_H_
#define POSTURA_COMMON_BASE_LATENCY_HISTOGRAM_H_

// Durations counted into fixed buckets, and the plain figures a histogram exposes. The
// parts of the collector that do the work (the ingest writer's commits, live scoring's
// delay) own a LatencyHistogram and hand out its HistogramFigures; whoever reports them
// (the /metrics page through prometheus_text.h, benchmarks) formats those figures. This
// unit knows no output format, so the working code depends on no exporter.
//
// Threading: LatencyHistogram is thread-safe (see the class); HistogramFigures is a plain
// value.

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/time/time.h"

namespace postura::collector {

// A histogram's state at one moment.
struct HistogramFigures {
  // The buckets' inclusive upper bounds, ascending, finite and positive. A last bucket
  // with no bound (+Inf) is implied.
  std::vector<double> upper_bounds_seconds;
  // Observations per bucket, not cumulative: upper_bounds_seconds.size() + 1 of them,
  // the +Inf bucket last.
  std::vector<uint64_t> bucket_counts;
  double sum_seconds = 0;  // Of every observation counted.

  // Observations in all buckets together.
  uint64_t count() const;
};

// A histogram of durations with fixed buckets, for metrics pages and benchmarks.
// Thread-safe: Observe only adds to atomics, so it never blocks. Read alongside writers,
// the total of the buckets is exact, while the sum may miss observations in flight.
class LatencyHistogram {
 public:
  // `upper_bounds_seconds` are the buckets' inclusive upper bounds; a last bucket with no
  // bound (+Inf) is implied. Unsorted bounds are sorted, and duplicate, non-finite and
  // non-positive ones dropped.
  explicit LatencyHistogram(std::vector<double> upper_bounds_seconds);

  // Counts one duration; negative ones count as zero.
  void Observe(absl::Duration latency);

  // The buckets and the sum as of now.
  HistogramFigures Figures() const;

  // The q-quantile (0 <= q <= 1) in seconds, interpolated linearly within its bucket as
  // Prometheus's histogram_quantile does: 0 is the lower bound of the first bucket, and
  // a quantile in the +Inf bucket is the largest finite bound. NaN before any observation.
  double Quantile(double q) const;

  uint64_t count() const;
  double sum_seconds() const;

 private:
  // A consistent enough copy: the per-bucket counts, non-cumulative, +Inf last.
  std::vector<uint64_t> Snapshot() const;

  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 of them.
  std::atomic<int64_t> sum_nanos_{0};
};

}  // namespace postura::collector

#endif  // POSTURA_COMMON_BASE_LATENCY_HISTOGRAM_H_
