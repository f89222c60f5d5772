#include "common/base/latency_histogram.h"

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::ElementsAre;

TEST(LatencyHistogramTest, BucketsHaveInclusiveUpperBoundsAndCleanedBounds) {
  LatencyHistogram histogram({0.5, 0.1, 1, 0.1, -1, std::numeric_limits<double>::infinity()});
  histogram.Observe(absl::Milliseconds(50));
  histogram.Observe(absl::Milliseconds(100));  // Exactly on a bound: in that bucket.
  histogram.Observe(absl::Milliseconds(300));
  histogram.Observe(absl::Seconds(2));
  histogram.Observe(absl::Milliseconds(-5));  // Counts as zero.
  const HistogramFigures figures = histogram.Figures();
  EXPECT_THAT(figures.upper_bounds_seconds, ElementsAre(0.1, 0.5, 1));
  EXPECT_THAT(figures.bucket_counts, ElementsAre(3u, 1u, 0u, 1u));
  EXPECT_DOUBLE_EQ(figures.sum_seconds, 2.45);
  EXPECT_EQ(figures.count(), 5u);
  EXPECT_EQ(histogram.count(), 5u);
}

TEST(LatencyHistogramTest, QuantileInterpolatesWithinTheBucket) {
  LatencyHistogram histogram({1, 2, 4});
  EXPECT_TRUE(std::isnan(histogram.Quantile(0.5)));
  for (int i = 0; i < 10; ++i) histogram.Observe(absl::Milliseconds(1500));
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.5), 1.5);
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.9), 1.9);
  EXPECT_DOUBLE_EQ(histogram.Quantile(1), 2);
  for (int i = 0; i < 90; ++i) histogram.Observe(absl::Seconds(60));
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.99), 4);  // In +Inf: the largest finite bound.
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.05), 1.5);
}

TEST(LatencyHistogramTest, ConcurrentObserveFromFourThreadsCountsEveryObservation) {
  LatencyHistogram histogram({0.001, 0.01});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&histogram, t] {
      for (int i = 0; i < kPerThread; ++i) {
        histogram.Observe(t % 2 == 0 ? absl::Microseconds(500) : absl::Milliseconds(5));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(histogram.count(), uint64_t{kThreads} * kPerThread);
  EXPECT_DOUBLE_EQ(histogram.sum_seconds(), 2 * kPerThread * (0.0005 + 0.005));
  EXPECT_THAT(histogram.Figures().bucket_counts, ElementsAre(40000u, 40000u, 0u));
}

}  // namespace
}  // namespace postura::collector
