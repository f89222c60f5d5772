#ifndef POSTURA_COMMON_BASE_CLOCK_H_
#define POSTURA_COMMON_BASE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace postura {

// A source of the current time, so that tests can control it. Same shape as absl::Clock
// (Abseil LTS 20260526+). Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time TimeNow() = 0;
  // Wraps absl::Now(). Never destroyed.
  static Clock& GetRealClock();
};

// A clock that moves only when told to. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time TimeNow() override;
  void Advance(absl::Duration by);
  void Set(absl::Time now);

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace postura

#endif  // POSTURA_COMMON_BASE_CLOCK_H_
