#include "collector/api/prometheus_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>

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

void PrometheusText::Histogram(absl::string_view name, absl::string_view help,
                               const PrometheusLabels& labels, const HistogramFigures& figures) {
  Family(name, help, "histogram");
  const std::string bucket_name = absl::StrCat(name, "_bucket");
  PrometheusLabels bucket_labels = labels;
  bucket_labels.emplace_back("le", "");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < figures.bucket_counts.size(); ++i) {
    cumulative += figures.bucket_counts[i];
    bucket_labels.back().second = i < figures.upper_bounds_seconds.size()
                                      ? FormatPrometheusValue(figures.upper_bounds_seconds[i])
                                      : std::string("+Inf");
    Sample(bucket_name, bucket_labels, static_cast<double>(cumulative));
  }
  Sample(absl::StrCat(name, "_sum"), labels, figures.sum_seconds);
  Sample(absl::StrCat(name, "_count"), labels, static_cast<double>(cumulative));
}

}  // namespace postura::collector
