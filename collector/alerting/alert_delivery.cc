#include "collector/alerting/alert_delivery.h"

#include <algorithm>

#include "glog/logging.h"

namespace postura::collector {
namespace {

// How long Next waits for work before looking again whether to stop.
constexpr absl::Duration kIdleWait = absl::Seconds(1);

}  // namespace

AlertDelivery::AlertDelivery(AlertOutbox& outbox, AlertSink& sink, DeliveryPolicy policy)
    : outbox_(outbox), sink_(sink), sink_name_(sink.name()), policy_(policy) {
  thread_ = std::thread([this] { Run(); });
}

AlertDelivery::~AlertDelivery() { Join(); }

void AlertDelivery::Join() {
  if (thread_.joinable()) thread_.join();
}

DeliveryCounters AlertDelivery::counters() const {
  absl::MutexLock lock(&mu_);
  return counters_;
}

absl::Duration AlertDelivery::Backoff(const DeliveryPolicy& policy, uint32_t failures) {
  absl::Duration wait = policy.initial_backoff;
  for (uint32_t i = 1; i < failures && wait < policy.max_backoff; ++i) wait *= 2;
  return std::min(wait, policy.max_backoff);
}

void AlertDelivery::Run() {
  uint32_t read_failures = 0;
  while (true) {
    absl::StatusOr<std::optional<v1::AlertTransition>> next = outbox_.Next(sink_name_, kIdleWait);
    if (!next.ok()) {
      LOG_EVERY_N(ERROR, 10) << "Alerting: sink " << sink_name_
                             << " cannot read the outbox: " << next.status();
      if (outbox_.WaitForStop(Backoff(policy_, ++read_failures))) return;
      continue;
    }
    read_failures = 0;
    if (!next->has_value()) {
      if (outbox_.WaitForStop(absl::ZeroDuration())) return;
      continue;
    }
    DeliverOne(**next);
  }
}

void AlertDelivery::DeliverOne(const v1::AlertTransition& transition) {
  uint32_t failures = 0;
  while (true) {
    absl::Status delivered = sink_.Deliver(transition);
    if (delivered.ok()) {
      {
        absl::MutexLock lock(&mu_);
        ++counters_.ok;
      }
      // Until the removal is written, a restart delivers it again: the idempotency key
      // lets the receiver drop the second copy.
      while (true) {
        absl::Status removed = outbox_.Remove(sink_name_, transition.sequence());
        if (removed.ok()) return;
        LOG_EVERY_N(ERROR, 10) << "Alerting: sink " << sink_name_
                               << " cannot remove a delivered transition: " << removed;
        if (outbox_.WaitForStop(absl::Seconds(1))) return;
      }
    }
    ++failures;
    {
      absl::MutexLock lock(&mu_);
      ++counters_.failed;
    }
    if (policy_.max_attempts > 0 && failures >= policy_.max_attempts) {
      LOG(ERROR) << "Alerting: sink " << sink_name_ << " gave up on "
                 << transition.idempotency_key() << " after " << failures
                 << " attempts: " << delivered;
      if (outbox_.Remove(sink_name_, transition.sequence()).ok()) {
        absl::MutexLock lock(&mu_);
        ++counters_.dropped;
      }
      return;
    }
    const absl::Duration wait = Backoff(policy_, failures);
    LOG_EVERY_N(WARNING, 10) << "Alerting: sink " << sink_name_ << " failed to deliver "
                             << transition.idempotency_key() << " (attempt " << failures
                             << "), next try in " << wait << ": " << delivered;
    if (outbox_.WaitForStop(wait)) return;
  }
}

}  // namespace postura::collector
