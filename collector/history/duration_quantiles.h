#ifndef POSTURA_COLLECTOR_HISTORY_DURATION_QUANTILES_H_
#define POSTURA_COLLECTOR_HISTORY_DURATION_QUANTILES_H_

// The median and 90th percentile of a set of durations, for remediation time (how long
// gap episodes stayed open, gap_log.h). The API's remediation answers call it per group.
//
// Quantiles interpolate linearly between the two nearest ranks (Hyndman and Fan's type 7,
// the default of R, NumPy and spreadsheets): with the n durations sorted d[0] <= ... <=
// d[n-1], the p-quantile sits at position h = p (n - 1), between d[floor h] and
// d[ceil h]. One duration is its own median and p90; of two, the median is their mean and
// the p90 lies 90 % of the way from the shorter to the longer.
//
// Threading: pure functions; any thread.

#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace postura::collector {

// The p-quantile of `sorted` (ascending). REQUIRES: not empty, 0 <= p <= 1.
absl::Duration Quantile(const std::vector<absl::Duration>& sorted, double p);

struct DurationSummary {
  int64_t count = 0;
  absl::Duration median;  // Zero when count is 0.
  absl::Duration p90;
};

// Sorts `durations` and summarises them.
DurationSummary Summarize(std::vector<absl::Duration> durations);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_HISTORY_DURATION_QUANTILES_H_
