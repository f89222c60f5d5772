#include "collector/alerting/alert_outbox.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

constexpr absl::string_view kAlertPrefix = "alert/";
constexpr absl::string_view kOutboxPrefix = "outbox/";
constexpr absl::string_view kSequenceKey = "meta/sequence";

std::string BigEndian(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) bytes[i] = static_cast<char>(value & 0xff);
  return bytes;
}

std::optional<uint64_t> FromBigEndian(absl::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
  return value;
}

absl::Status Corrupt(absl::string_view key) {
  return absl::DataLossError(absl::StrCat("corrupt alerts record ", absl::CHexEscape(key)));
}

}  // namespace

std::string AlertOutbox::OutboxKey(absl::string_view sink, uint64_t sequence) {
  return absl::StrCat(kOutboxPrefix, sink, absl::string_view("\0", 1), BigEndian(sequence));
}

absl::StatusOr<std::unique_ptr<AlertOutbox>> AlertOutbox::Open(EvidenceStore& store,
                                                               std::vector<std::string> sinks) {
  std::unique_ptr<AlertOutbox> outbox(new AlertOutbox(store));
  if (absl::Status s = outbox->Load(sinks); !s.ok()) return s;
  return outbox;
}

absl::Status AlertOutbox::Load(const std::vector<std::string>& sinks) {
  absl::MutexLock lock(&mu_);
  for (const std::string& sink : sinks) queues_[sink];
  absl::Status problem;
  absl::Status read =
      store_.ScanAlerts(kSequenceKey, [&](absl::string_view key, absl::string_view value) {
        std::optional<uint64_t> sequence = FromBigEndian(value);
        if (!sequence) problem = Corrupt(key);
        last_sequence_ = sequence.value_or(0);
        return false;
      });
  if (!read.ok()) return read;
  read = store_.ScanAlerts(kAlertPrefix, [&](absl::string_view key, absl::string_view value) {
    v1::AlertTransition& fired = firing_at_open_.emplace_back();
    if (!fired.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      problem = Corrupt(key);
      return false;
    }
    return true;
  });
  if (!read.ok()) return read;
  std::vector<EvidenceStore::AlertWrite> orphans;
  read = store_.ScanAlerts(kOutboxPrefix, [&](absl::string_view key, absl::string_view value) {
    absl::string_view rest = key.substr(kOutboxPrefix.size());
    const size_t nul = rest.find('\0');
    v1::AlertTransition transition;
    std::optional<uint64_t> sequence;
    if (nul != absl::string_view::npos) sequence = FromBigEndian(rest.substr(nul + 1));
    if (!sequence || !transition.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      problem = Corrupt(key);
      return false;
    }
    auto queue = queues_.find(std::string(rest.substr(0, nul)));
    if (queue == queues_.end()) {
      orphans.push_back({std::string(key), "", true});
      return true;
    }
    queue->second.push_back({*sequence, transition.at_unix_nanos()});
    ++sinks_waiting_[*sequence];
    return true;
  });
  if (!read.ok()) return read;
  if (!problem.ok()) return problem;
  if (!orphans.empty()) {
    LOG(WARNING) << "Alerting: dropping " << orphans.size()
                 << " undelivered transitions of sinks no longer configured";
    return store_.WriteAlerts(orphans);
  }
  return absl::OkStatus();
}

absl::Status AlertOutbox::Record(v1::AlertTransition& transition) {
  uint64_t sequence = 0;
  std::vector<std::string> sinks;
  {
    absl::MutexLock lock(&mu_);
    sequence = last_sequence_ + 1;
    for (const auto& [sink, queue] : queues_) sinks.push_back(sink);
  }
  transition.set_sequence(sequence);
  transition.set_idempotency_key(absl::StrCat(transition.id(), "#", sequence));
  const std::string value = transition.SerializeAsString();
  std::vector<EvidenceStore::AlertWrite> writes;
  for (const std::string& sink : sinks) writes.push_back({OutboxKey(sink, sequence), value});
  const std::string alert_key = absl::StrCat(kAlertPrefix, transition.id());
  if (transition.state() == v1::AlertTransition::FIRING) {
    writes.push_back({alert_key, value});
  } else {
    writes.push_back({alert_key, "", true});
  }
  writes.push_back({std::string(kSequenceKey), BigEndian(sequence)});
  if (absl::Status s = store_.WriteAlerts(writes); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  last_sequence_ = sequence;
  for (const std::string& sink : sinks) {
    queues_[sink].push_back({sequence, transition.at_unix_nanos()});
  }
  if (!sinks.empty()) sinks_waiting_[sequence] = static_cast<int>(sinks.size());
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::AlertTransition>> AlertOutbox::Next(const std::string& sink,
                                                                     absl::Duration timeout) {
  uint64_t sequence = 0;
  {
    absl::MutexLock lock(&mu_);
    auto queue = queues_.find(sink);
    if (queue == queues_.end()) return absl::NotFoundError(absl::StrCat("no sink ", sink));
    auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || !queue->second.empty();
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
    if (stopping_ || queue->second.empty()) return std::nullopt;
    sequence = queue->second.front().sequence;
  }
  const std::string key = OutboxKey(sink, sequence);
  std::optional<v1::AlertTransition> transition;
  absl::Status problem;
  absl::Status read = store_.ScanAlerts(key, [&](absl::string_view found, absl::string_view value) {
    if (found != key) return false;
    transition.emplace();
    if (!transition->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      problem = Corrupt(found);
    }
    return false;
  });
  if (!read.ok()) return read;
  if (!problem.ok()) return problem;
  if (!transition) {
    return absl::DataLossError(absl::StrCat("outbox entry ", sequence, " of ", sink, " is gone"));
  }
  return transition;
}

absl::Status AlertOutbox::Remove(const std::string& sink, uint64_t sequence) {
  if (absl::Status s = store_.WriteAlerts({{OutboxKey(sink, sequence), "", true}}); !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&mu_);
  std::deque<Waiting>& queue = queues_[sink];
  if (!queue.empty() && queue.front().sequence == sequence) queue.pop_front();
  auto waiting = sinks_waiting_.find(sequence);
  if (waiting != sinks_waiting_.end() && --waiting->second <= 0) sinks_waiting_.erase(waiting);
  return absl::OkStatus();
}

void AlertOutbox::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

bool AlertOutbox::WaitForStop(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), timeout);
  return stopping_;
}

std::map<std::string, AlertOutbox::SinkDepth> AlertOutbox::Depths() const {
  absl::MutexLock lock(&mu_);
  std::map<std::string, SinkDepth> depths;
  for (const auto& [sink, queue] : queues_) {
    SinkDepth& depth = depths[sink];
    depth.waiting = queue.size();
    depth.oldest_unix_nanos = queue.empty() ? 0 : queue.front().at_unix_nanos;
  }
  return depths;
}

uint64_t AlertOutbox::depth() const {
  absl::MutexLock lock(&mu_);
  return sinks_waiting_.size();
}

}  // namespace postura::collector
