#include "collector/history/duration_quantiles.h"

#include <algorithm>
#include <cmath>

namespace postura::collector {

absl::Duration Quantile(const std::vector<absl::Duration>& sorted, double p) {
  const double position = p * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  // d[below] + fraction * (d[above] - d[below]), in the durations' own arithmetic, which
  // keeps whole nanoseconds exact.
  return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

DurationSummary Summarize(std::vector<absl::Duration> durations) {
  DurationSummary summary;
  summary.count = static_cast<int64_t>(durations.size());
  if (durations.empty()) return summary;
  std::sort(durations.begin(), durations.end());
  summary.median = Quantile(durations, 0.5);
  summary.p90 = Quantile(durations, 0.9);
  return summary;
}

}  // namespace postura::collector
