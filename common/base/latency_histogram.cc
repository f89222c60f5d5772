#include "common/base/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace postura::collector {
namespace {

// Sorted, distinct, finite and positive, as LatencyHistogram promises.
std::vector<double> CleanBounds(std::vector<double> bounds) {
  bounds.erase(std::remove_if(bounds.begin(), bounds.end(),
                              [](double b) { return !std::isfinite(b) || b <= 0; }),
               bounds.end());
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

}  // namespace

uint64_t HistogramFigures::count() const {
  uint64_t total = 0;
  for (uint64_t n : bucket_counts) total += n;
  return total;
}

LatencyHistogram::LatencyHistogram(std::vector<double> upper_bounds_seconds)
    : bounds_(CleanBounds(std::move(upper_bounds_seconds))),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void LatencyHistogram::Observe(absl::Duration latency) {
  const double seconds = absl::ToDoubleSeconds(std::max(latency, absl::ZeroDuration()));
  // Bounds are inclusive: the first bound >= seconds names the bucket.
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), seconds) - bounds_.begin();
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(absl::ToInt64Nanoseconds(std::max(latency, absl::ZeroDuration())),
                       std::memory_order_relaxed);
}

std::vector<uint64_t> LatencyHistogram::Snapshot() const {
  std::vector<uint64_t> counts(bounds_.size() + 1);
  for (size_t i = 0; i < counts.size(); ++i) {
    counts[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  return counts;
}

HistogramFigures LatencyHistogram::Figures() const {
  HistogramFigures figures;
  figures.upper_bounds_seconds = bounds_;
  figures.bucket_counts = Snapshot();
  figures.sum_seconds = sum_seconds();
  return figures;
}

uint64_t LatencyHistogram::count() const {
  uint64_t total = 0;
  for (uint64_t n : Snapshot()) total += n;
  return total;
}

double LatencyHistogram::sum_seconds() const {
  return static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
}

double LatencyHistogram::Quantile(double q) const {
  const std::vector<uint64_t> counts = Snapshot();
  uint64_t total = 0;
  for (uint64_t n : counts) total += n;
  if (total == 0 || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  const double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(total);
  uint64_t below = 0;  // Observations in the buckets before bucket i.
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (counts[i] > 0 && static_cast<double>(below + counts[i]) >= rank) {
      const double lower = i == 0 ? 0.0 : bounds_[i - 1];
      const double fraction = (rank - static_cast<double>(below)) / static_cast<double>(counts[i]);
      return lower + (bounds_[i] - lower) * fraction;
    }
    below += counts[i];
  }
  return bounds_.empty() ? std::numeric_limits<double>::quiet_NaN() : bounds_.back();
}

}  // namespace postura::collector
