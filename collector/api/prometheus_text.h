#ifndef POSTURA_COLLECTOR_API_PROMETHEUS_TEXT_H_
#define POSTURA_COLLECTOR_API_PROMETHEUS_TEXT_H_

// The Prometheus text exposition format: the /metrics page (http_api.cc) is built with it
// from the figures the collector's parts expose (LiveScorerStats, IngestStats,
// HistogramFigures). Only code that renders metrics includes this header; the parts that
// are measured know nothing of it. Threading: see each class.

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "common/base/latency_histogram.h"

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

  // Writes `figures` as the family `name` of type histogram: cumulative
  // name_bucket{le="..."} samples ending with le="+Inf", then name_sum (seconds) and
  // name_count, each with `labels`.
  void Histogram(absl::string_view name, absl::string_view help, const PrometheusLabels& labels,
                 const HistogramFigures& figures);

  // Returns the page written so far and starts an empty one.
  std::string Take();

 private:
  std::string out_;
  absl::flat_hash_set<std::string> families_;
};

// A value as the exposition format prints it: "42", "0.25", "1e-07", "+Inf", "NaN".
std::string FormatPrometheusValue(double value);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_PROMETHEUS_TEXT_H_
