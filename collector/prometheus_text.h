#ifndef POSTURA_COLLECTOR_PROMETHEUS_TEXT_H_
#define POSTURA_COLLECTOR_PROMETHEUS_TEXT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::collector {

// Label name and value pairs, in the order they are printed.
using PrometheusLabels = std::vector<std::pair<std::string, std::string>>;

// Builds a page in the Prometheus text exposition format, version 0.0.4
// (Content-Type "text/plain; version=0.0.4"). Not thread-safe.
//
// Names are checked: a family or sample with an invalid metric name, an invalid or
// reserved ("__" prefix) label name, or an unknown type is left out and logged, so one
// bad metric cannot make the whole page unparseable.
class PrometheusText {
 public:
  // Starts the family `name`: writes its # HELP and # TYPE lines. `type` is "counter",
  // "gauge", "histogram", "summary" or "untyped". The samples of a family must follow
  // it before the next family starts. Repeating a family already written is a no-op, so
  // several labelled histograms can share one family.
  void Family(absl::string_view name, absl::string_view help, absl::string_view type);

  // Writes one sample line. `name` is the family's name, or for a histogram the family's
  // name with _bucket, _sum or _count. Integral values print exactly; others print with
  // the fewest digits that read back as the same double; NaN and infinities as NaN,
  // +Inf and -Inf.
  void Sample(absl::string_view name, const PrometheusLabels& labels, double value);

  // Returns the page written so far and starts an empty one.
  std::string Take();

 private:
  std::string out_;
  absl::flat_hash_set<std::string> families_;
};

// A value as the exposition format prints it: "42", "0.25", "1e-07", "+Inf", "NaN".
std::string FormatPrometheusValue(double value);

// A histogram of durations with fixed buckets, for metrics pages and benchmarks.
// Thread-safe: Observe only adds to atomics, so it never blocks. Read alongside writers,
// _count still equals the +Inf bucket, while _sum may miss observations in flight.
class LatencyHistogram {
 public:
  // `upper_bounds_seconds` are the buckets' inclusive upper bounds; a last bucket with no
  // bound (+Inf) is implied. Unsorted bounds are sorted, and duplicate, non-finite and
  // non-positive ones dropped.
  explicit LatencyHistogram(std::vector<double> upper_bounds_seconds);

  // Counts one duration; negative ones count as zero.
  void Observe(absl::Duration latency);

  // Writes the family `name` of type histogram: cumulative name_bucket{le="..."} samples
  // ending with le="+Inf", then name_sum (seconds) and name_count, each with `labels`.
  void WriteTo(PrometheusText& out, absl::string_view name, absl::string_view help,
               const PrometheusLabels& labels) const;

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

#endif  // POSTURA_COLLECTOR_PROMETHEUS_TEXT_H_
