#include "collector/api/prometheus_text.h"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;

TEST(PrometheusTextTest, WritesASmallPageExactly) {
  PrometheusText text;
  text.Family("postura_batches_total", "Batches stored.", "counter");
  text.Sample("postura_batches_total", {{"agent", "web-01"}}, 1234567);
  text.Sample("postura_batches_total", {{"agent", "db-01"}}, 0);
  text.Family("postura_queue_fill_ratio", "Queued bytes over the limit.", "gauge");
  text.Sample("postura_queue_fill_ratio", {}, 0.25);
  LatencyHistogram histogram({0.01, 0.1});
  histogram.Observe(absl::Milliseconds(5));
  histogram.Observe(absl::Milliseconds(50));
  histogram.Observe(absl::Seconds(2));
  text.Histogram("postura_commit_seconds", "Commit latency.", {{"store", "main"}},
                 histogram.Figures());

  EXPECT_EQ(text.Take(),
            "# HELP postura_batches_total Batches stored.\n"
            "# TYPE postura_batches_total counter\n"
            "postura_batches_total{agent=\"web-01\"} 1234567\n"
            "postura_batches_total{agent=\"db-01\"} 0\n"
            "# HELP postura_queue_fill_ratio Queued bytes over the limit.\n"
            "# TYPE postura_queue_fill_ratio gauge\n"
            "postura_queue_fill_ratio 0.25\n"
            "# HELP postura_commit_seconds Commit latency.\n"
            "# TYPE postura_commit_seconds histogram\n"
            "postura_commit_seconds_bucket{store=\"main\",le=\"0.01\"} 1\n"
            "postura_commit_seconds_bucket{store=\"main\",le=\"0.1\"} 2\n"
            "postura_commit_seconds_bucket{store=\"main\",le=\"+Inf\"} 3\n"
            "postura_commit_seconds_sum{store=\"main\"} 2.055\n"
            "postura_commit_seconds_count{store=\"main\"} 3\n");
  EXPECT_EQ(text.Take(), "");
}

TEST(PrometheusTextTest, EscapesHelpTextAndLabelValues) {
  PrometheusText text;
  text.Family("m", "back\\slash \"quoted\"\nsecond line", "gauge");
  text.Sample("m", {{"path", "C:\\dir \"x\"\ny"}}, 1);
  EXPECT_EQ(text.Take(),
            "# HELP m back\\\\slash \"quoted\"\\nsecond line\n"
            "# TYPE m gauge\n"
            "m{path=\"C:\\\\dir \\\"x\\\"\\ny\"} 1\n");
}

TEST(PrometheusTextTest, LeavesOutInvalidNamesAndTypes) {
  PrometheusText text;
  text.Family("1starts_with_digit", "h", "gauge");
  text.Family("has-dash", "h", "gauge");
  text.Family("good", "h", "gauge_ish");
  text.Sample("bad name", {}, 1);
  text.Sample("good", {{"__reserved", "v"}}, 1);
  text.Sample("good", {{"bad-label", "v"}}, 1);
  text.Sample("good", {{"", "v"}}, 1);
  EXPECT_EQ(text.Take(), "");

  text.Family("ns:good_name", "h", "untyped");
  text.Sample("ns:good_name", {{"_ok", "v"}}, 1);
  EXPECT_EQ(text.Take(),
            "# HELP ns:good_name h\n# TYPE ns:good_name untyped\nns:good_name{_ok=\"v\"} 1\n");
}

TEST(PrometheusTextTest, RepeatedFamilyIsDeclaredOnce) {
  PrometheusText text;
  LatencyHistogram get({1});
  LatencyHistogram post({1});
  text.Histogram("http_seconds", "h", {{"method", "GET"}}, get.Figures());
  text.Histogram("http_seconds", "h", {{"method", "POST"}}, post.Figures());
  const std::string page = text.Take();
  EXPECT_EQ(page.find("# TYPE http_seconds"), page.rfind("# TYPE http_seconds")) << page;
  EXPECT_THAT(page, HasSubstr("http_seconds_count{method=\"POST\"} 0\n"));
}

TEST(PrometheusTextTest, FormatsIntegersExactlyAndDoublesSoTheyRoundTrip) {
  EXPECT_EQ(FormatPrometheusValue(0), "0");
  EXPECT_EQ(FormatPrometheusValue(-3), "-3");
  EXPECT_EQ(FormatPrometheusValue(1e6), "1000000");
  EXPECT_EQ(FormatPrometheusValue(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(FormatPrometheusValue(1152921504606846976.0), "1152921504606846976");
  EXPECT_EQ(FormatPrometheusValue(0.1), "0.1");
  EXPECT_EQ(FormatPrometheusValue(1.5e-7), "1.5e-07");
  EXPECT_EQ(FormatPrometheusValue(1e300), "1e+300");
  EXPECT_EQ(FormatPrometheusValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatPrometheusValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatPrometheusValue(-std::numeric_limits<double>::infinity()), "-Inf");
  for (double value : {0.1 + 0.2, 1.0 / 3, -2.5e-300, 123456.789, 5e-324}) {
    const std::string text = FormatPrometheusValue(value);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
  }
}

TEST(PrometheusTextTest, HistogramBucketsAreCumulativeWithInclusiveUpperBounds) {
  LatencyHistogram histogram({0.5, 0.1, 1, 0.1, -1, std::numeric_limits<double>::infinity()});
  histogram.Observe(absl::Milliseconds(50));
  histogram.Observe(absl::Milliseconds(100));  // Exactly on a bound: in that bucket.
  histogram.Observe(absl::Milliseconds(300));
  histogram.Observe(absl::Seconds(2));
  histogram.Observe(absl::Milliseconds(-5));  // Counts as zero.
  PrometheusText text;
  text.Histogram("h", "help", {}, histogram.Figures());
  EXPECT_EQ(text.Take(),
            "# HELP h help\n# TYPE h histogram\n"
            "h_bucket{le=\"0.1\"} 3\n"
            "h_bucket{le=\"0.5\"} 4\n"
            "h_bucket{le=\"1\"} 4\n"
            "h_bucket{le=\"+Inf\"} 5\n"
            "h_sum 2.45\n"
            "h_count 5\n");
}

}  // namespace
}  // namespace postura::collector
