#include "collector/prometheus_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// [a-zA-Z_:][a-zA-Z0-9_:]* for metrics, the same without ':' for labels.
bool IsValidName(absl::string_view name, bool allow_colon) {
  const auto allowed = [allow_colon](char c) {
    return absl::ascii_isalnum(c) || c == '_' || (allow_colon && c == ':');
  };
  return !name.empty() && !absl::ascii_isdigit(name[0]) &&
         std::all_of(name.begin(), name.end(), allowed);
}

bool IsValidLabelName(absl::string_view name) {
  return IsValidName(name, /*allow_colon=*/false) && !absl::StartsWith(name, "__");
}

bool IsValidType(absl::string_view type) {
  return type == "counter" || type == "gauge" || type == "histogram" || type == "summary" ||
         type == "untyped";
}

std::string EscapeHelp(absl::string_view help) {
  return absl::StrReplaceAll(help, {{"\\", "\\\\"}, {"\n", "\\n"}});
}

std::string EscapeLabelValue(absl::string_view value) {
  return absl::StrReplaceAll(value, {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

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

std::string FormatPrometheusValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Every integer this side of 2^63 prints in full, where shortest form would say 1e+06.
  if (value == std::trunc(value) && std::fabs(value) < 9.2e18) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  char buffer[32];
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

void PrometheusText::Family(absl::string_view name, absl::string_view help,
                            absl::string_view type) {
  if (!IsValidName(name, /*allow_colon=*/true) || !IsValidType(type)) {
    LOG_FIRST_N(ERROR, 10) << "Prometheus family '" << name << "' of type '" << type
                           << "' left out: invalid name or type";
    return;
  }
  if (!families_.emplace(name).second) return;
  absl::StrAppend(&out_, "# HELP ", name, " ", EscapeHelp(help), "\n# TYPE ", name, " ", type,
                  "\n");
}

void PrometheusText::Sample(absl::string_view name, const PrometheusLabels& labels, double value) {
  const bool labels_valid = std::all_of(labels.begin(), labels.end(), [](const auto& label) {
    return IsValidLabelName(label.first);
  });
  if (!IsValidName(name, /*allow_colon=*/true) || !labels_valid) {
    LOG_FIRST_N(ERROR, 10) << "Prometheus sample '" << name
                           << "' left out: invalid metric or label name";
    return;
  }
  absl::StrAppend(&out_, name);
  for (size_t i = 0; i < labels.size(); ++i) {
    absl::StrAppend(&out_, i == 0 ? "{" : ",", labels[i].first, "=\"",
                    EscapeLabelValue(labels[i].second), "\"");
  }
  if (!labels.empty()) out_.push_back('}');
  absl::StrAppend(&out_, " ", FormatPrometheusValue(value), "\n");
}

std::string PrometheusText::Take() {
  families_.clear();
  return std::exchange(out_, std::string());
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

uint64_t LatencyHistogram::count() const {
  uint64_t total = 0;
  for (uint64_t n : Snapshot()) total += n;
  return total;
}

double LatencyHistogram::sum_seconds() const {
  return static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
}

void LatencyHistogram::WriteTo(PrometheusText& out, absl::string_view name, absl::string_view help,
                               const PrometheusLabels& labels) const {
  const std::vector<uint64_t> counts = Snapshot();
  out.Family(name, help, "histogram");
  const std::string bucket_name = absl::StrCat(name, "_bucket");
  PrometheusLabels bucket_labels = labels;
  bucket_labels.emplace_back("le", "");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    bucket_labels.back().second =
        i < bounds_.size() ? FormatPrometheusValue(bounds_[i]) : std::string("+Inf");
    out.Sample(bucket_name, bucket_labels, static_cast<double>(cumulative));
  }
  out.Sample(absl::StrCat(name, "_sum"), labels, sum_seconds());
  out.Sample(absl::StrCat(name, "_count"), labels, static_cast<double>(cumulative));
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
