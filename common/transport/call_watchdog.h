#ifndef POSTURA_COMMON_TRANSPORT_CALL_WATCHDOG_H_
#define POSTURA_COMMON_TRANSPORT_CALL_WATCHDOG_H_

#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"

namespace postura {

// Cancels a call unless it is disarmed in time: bounds how long a long-lived stream may
// take to be answered (the ingest stream's Welcome) without bounding the stream itself,
// so that a connection that never answers is given up and retried instead of waiting
// out the stream's whole deadline. `context` must outlive the watchdog.
class CallWatchdog {
 public:
  CallWatchdog(grpc::ClientContext& context, absl::Duration timeout)
      : thread_([this, &context, timeout] {
          if (!disarmed_.WaitForNotificationWithTimeout(timeout)) context.TryCancel();
        }) {}
  ~CallWatchdog() {
    Disarm();
    thread_.join();
  }
  CallWatchdog(const CallWatchdog&) = delete;
  CallWatchdog& operator=(const CallWatchdog&) = delete;

  // The call was answered: it is no longer cancelled. Idempotent.
  void Disarm() {
    if (!disarmed_.HasBeenNotified()) disarmed_.Notify();
  }

 private:
  absl::Notification disarmed_;
  std::thread thread_;
};

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_CALL_WATCHDOG_H_
