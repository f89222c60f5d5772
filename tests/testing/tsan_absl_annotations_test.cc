// That tsan_absl_annotations.cc lets ThreadSanitizer see Abseil's mutexes, waits and
// notifications (no report where they order two threads), and hides nothing (a report where
// nothing does). Built and run only in a ThreadSanitizer build (tests/grpc_free_tests.cmake),
// where a report ends the test process (TSAN_OPTIONS=halt_on_error=1 in deploy/test.sh).
#include <cstdlib>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace postura::test {
namespace {

TEST(TsanAbslAnnotationsTest, AMutexOrdersTheThreadsThatHoldIt) {
  absl::Mutex mu;
  int counter = 0;
  std::thread other([&] {
    for (int i = 0; i < 1000; ++i) {
      absl::MutexLock lock(&mu);
      ++counter;
    }
  });
  for (int i = 0; i < 1000; ++i) {
    absl::ReaderMutexLock read(&mu);
    EXPECT_LE(counter, 2000);
  }
  for (int i = 0; i < 1000; ++i) {
    absl::MutexLock lock(&mu);
    ++counter;
  }
  other.join();
  EXPECT_EQ(counter, 2000);
}

TEST(TsanAbslAnnotationsTest, AwaitAndTimedWaitsOrderWhatTheSignallerWroteBefore) {
  absl::Mutex mu;
  int payload = 0;  // Written before `ready`, outside the mutex.
  bool ready = false;
  bool answered = false;
  std::thread other([&] {
    payload = 42;
    {
      absl::MutexLock lock(&mu);
      ready = true;
    }
    absl::MutexLock lock(&mu);
    mu.AwaitWithTimeout(absl::Condition(&answered), absl::Minutes(1));
    EXPECT_EQ(payload, 43);
  });
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&ready));
  }
  EXPECT_EQ(payload, 42);
  payload = 43;
  {
    absl::MutexLock lock(&mu);
    answered = true;
  }
  other.join();
}

TEST(TsanAbslAnnotationsTest, ANotificationOrdersWhatTheNotifierWroteBefore) {
  absl::Notification done;
  int payload = 0;
  std::thread other([&] {
    payload = 7;
    done.Notify();
  });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Minutes(1)));
  EXPECT_EQ(payload, 7);
  other.join();
}

// Writes `counter` under `mu` on one thread and without it on another.
void RaceOnACounterOneThreadGuards() {
  absl::Mutex mu;
  int counter = 0;
  std::thread other([&] {
    absl::MutexLock lock(&mu);
    ++counter;
  });
  ++counter;  // Not under mu: a race, whatever the order.
  other.join();
  std::exit(counter == 2 ? 0 : 1);
}

TEST(TsanAbslAnnotationsDeathTest, AnAccessOutsideTheMutexIsStillReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(RaceOnACounterOneThreadGuards(), ::testing::ExitedWithCode(66),
              "ThreadSanitizer: data race");
}

}  // namespace
}  // namespace postura::test
