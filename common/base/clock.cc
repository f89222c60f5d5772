#include "common/base/clock.h"

namespace postura {
namespace {

class RealClock : public Clock {
 public:
  absl::Time TimeNow() override { return absl::Now(); }
};

}  // namespace

Clock& Clock::GetRealClock() {
  static Clock* const clock = new RealClock;
  return *clock;
}

absl::Time FakeClock::TimeNow() {
  absl::MutexLock lock(&mu_);
  return now_;
}

void FakeClock::Advance(absl::Duration by) {
  absl::MutexLock lock(&mu_);
  now_ += by;
}

void FakeClock::Set(absl::Time now) {
  absl::MutexLock lock(&mu_);
  now_ = now;
}

}  // namespace postura
