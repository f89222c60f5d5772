#include "collector/replication/replicated_ingest.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "collector/replication/batch_codec.h"
#include "common/base/thread_name.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// How long the applier waits for log messages before looking whether it should stop.
constexpr absl::Duration kFetchWait = absl::Milliseconds(200);
// The pause after the log or the store failed, and how often that is logged at most.
constexpr absl::Duration kRetryAfter = absl::Milliseconds(500);
constexpr absl::Duration kLogFailuresEvery = absl::Seconds(10);
// How long an agent's later batches are refused after one failed to append, unless it is
// stored before (its agent sends it again first).
constexpr absl::Duration kHoldAfterFailure = absl::Seconds(30);
// Registry changes whose results are kept for their makers (changes are rare and their
// makers wait seconds at most).
constexpr size_t kKeptRegistryResults = 1024;

// Whether `applied` is the registry's refusal of a change (its rules; the same on every
// collector), not a failure to apply it.
bool IsRefusal(const absl::Status& applied) {
  return absl::IsInvalidArgument(applied) || absl::IsNotFound(applied) ||
         absl::IsFailedPrecondition(applied) || absl::IsAlreadyExists(applied) ||
         absl::IsAborted(applied);
}

// A reader of `log` from the message after the last one `local` made durable.
absl::StatusOr<std::unique_ptr<LogConsumer>> ReadOn(JetStreamLog& log, const IngestWriter& local,
                                                    const std::string& node) {
  absl::StatusOr<uint64_t> position = local.LogPosition();
  if (!position.ok()) return position.status();
  return log.Consumer(node, *position + 1);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReplicatedIngest>> ReplicatedIngest::Start(
    JetStreamLog& log, IngestWriter& local, const ReplicatedIngestOptions& options) {
  absl::StatusOr<std::unique_ptr<LogConsumer>> consumer = ReadOn(log, local, options.node);
  if (!consumer.ok()) return consumer.status();
  std::unique_ptr<ReplicatedIngest> ingest(
      new ReplicatedIngest(log, local, options, *std::move(consumer)));
  ingest->appender_ = std::thread([self = ingest.get()] { self->AppendLoop(); });
  ingest->applier_ = std::thread([self = ingest.get()] { self->ApplyLoop(); });
  return ingest;
}

ReplicatedIngest::~ReplicatedIngest() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  appender_.join();
  applier_.join();
}

bool ReplicatedIngest::Enqueue(QueuedBatch& batch, absl::AnyInvocable<void()> on_room) {
  const uint64_t bytes = batch.bytes = QueuedBytes(batch);
  absl::MutexLock lock(&mu_);
  // An empty queue takes any batch, so one larger than the bound cannot wait forever.
  if (!queue_.empty() && queued_bytes_ + bytes > options_.max_queued_bytes) {
    waiting_for_room_.push_back(std::move(on_room));
    return false;
  }
  queued_bytes_ += bytes;
  queue_.push_back(std::move(batch));
  return true;
}

ReplicationStats ReplicatedIngest::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void ReplicatedIngest::AppendLoop() {
  NameThisThread("replication-out");
  bool log_failed = false;
  for (;;) {
    QueuedBatch batch;
    std::vector<absl::AnyInvocable<void()>> room;
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      auto work = [this]()
                      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&work));
      if (queue_.empty()) return;
      stopping = stopping_;
      batch = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= batch.bytes;
      room.swap(waiting_for_room_);
    }
    for (absl::AnyInvocable<void()>& call : room) call();
    absl::StatusOr<Appended> appended = AppendInOrder(batch, stopping && log_failed);
    log_failed = !appended.ok();
    {
      absl::MutexLock lock(&mu_);
      if (!appended.ok()) {
        ++stats_.append_failures;
      } else {
        ++(appended->duplicate ? stats_.append_duplicates : stats_.appended);
      }
    }
    if (!appended.ok()) {
      LOG_EVERY_N(WARNING, 100) << "replication: the cluster's log did not store batch "
                                << batch.sequence << " of agent '" << batch.agent_id
                                << "': " << appended.status().message();
      batch.done(absl::UnavailableError(absl::StrCat("the cluster's log did not store the batch: ",
                                                     appended.status().message())));
      continue;
    }
    v1::Ack ack;
    ack.set_sequence(batch.sequence);
    ack.set_duplicate(appended->duplicate);
    for (v1::Rejection& rejection : batch.rejections) *ack.add_rejected() = std::move(rejection);
    batch.done(std::move(ack));
  }
}

absl::StatusOr<Appended> ReplicatedIngest::AppendInOrder(const QueuedBatch& batch, bool refuse) {
  auto held = unstored_.find(batch.agent_id);
  if (held != unstored_.end() && absl::Now() > held->second.until) {
    unstored_.erase(held);
    held = unstored_.end();
  }
  if (held != unstored_.end() && batch.sequence > held->second.sequence) {
    return absl::UnavailableError(absl::StrCat("batch ", held->second.sequence,
                                               " of the agent is not stored yet; send it first"));
  }
  // Stopping with the log unreachable: refuse what is left at once, not each after a
  // timeout.
  absl::StatusOr<Appended> appended =
      refuse ? absl::UnavailableError("the collector is stopping")
             : log_.Append(ReplicatedBatchId(batch), EncodeReplicatedBatch(batch, options_.node));
  if (!appended.ok()) {
    if (held == unstored_.end() || batch.sequence < held->second.sequence) {
      unstored_[batch.agent_id] = {batch.sequence, absl::Now() + kHoldAfterFailure};
    }
  } else if (held != unstored_.end() && batch.sequence == held->second.sequence) {
    unstored_.erase(held);
  }
  return appended;
}

void ReplicatedIngest::ApplyLoop() {
  NameThisThread("replication-in");
  absl::Time logged = absl::InfinitePast();
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    absl::StatusOr<int> applied =
        consumer_ == nullptr
            ? absl::UnavailableError("no reader of the log")
            : consumer_->Next(options_.apply_group, kFetchWait,
                              [this](std::vector<LogMessage>& m) { return ApplyGroup(m); });
    if (applied.ok()) continue;
    // Read on from what the store holds: the log's next messages must not pass the ones
    // that failed.
    consumer_.reset();
    absl::StatusOr<std::unique_ptr<LogConsumer>> reader = ReadOn(log_, local_, options_.node);
    if (reader.ok()) consumer_ = *std::move(reader);
    {
      absl::MutexLock lock(&mu_);
      ++stats_.apply_failures;
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      mu_.AwaitWithTimeout(absl::Condition(&stopping), kRetryAfter);
    }
    if (absl::Now() - logged > kLogFailuresEvery) {
      logged = absl::Now();
      LOG(WARNING) << "replication: applying the cluster's log to this store failed (it is "
                      "tried again): "
                   << applied.status();
    }
  }
}

absl::Status ReplicatedIngest::ApplyGroup(std::vector<LogMessage>& messages) {
  struct Group {
    absl::Mutex mu;
    int outstanding ABSL_GUARDED_BY(mu) = 0;
    bool room ABSL_GUARDED_BY(mu) = false;
    absl::Status failed ABSL_GUARDED_BY(mu);
  } group;
  uint64_t malformed = 0;
  auto durable = [&group]()
                     ABSL_EXCLUSIVE_LOCKS_REQUIRED(group.mu) { return group.outstanding == 0; };
  for (const LogMessage& message : messages) {
    absl::StatusOr<LogEntry> entry = DecodeLogEntry(message.data);
    const v1::RegistryChange* change =
        entry.ok() ? std::get_if<v1::RegistryChange>(&*entry) : nullptr;
    if (!entry.ok() || (change != nullptr && !options_.apply_registry_change)) {
      // Skipped: it would stop the log for good.
      LOG(ERROR) << "replication: skipped message " << message.sequence << " of the cluster's log: "
                 << (entry.ok() ? "a registry change, which this collector does not apply"
                                : entry.status().message());
      ++malformed;
      continue;
    }
    if (change != nullptr) {
      // In log order: the batches before it are durable first.
      absl::MutexLock lock(&group.mu);
      group.mu.Await(absl::Condition(&durable));
      if (!group.failed.ok()) return group.failed;  // Read again from the store's position.
      if (absl::Status s = ApplyRegistryChange(*change, message.sequence); !s.ok()) return s;
      continue;
    }
    QueuedBatch* batch = &std::get<QueuedBatch>(*entry);
    batch->log_position = message.sequence;
    {
      absl::MutexLock lock(&group.mu);
      ++group.outstanding;
    }
    batch->done = [&group](absl::StatusOr<v1::Ack> ack) {
      absl::MutexLock lock(&group.mu);
      --group.outstanding;
      // A conflict is refused and counted alike by every collector's writer: done with.
      if (!ack.ok() && ack.status().code() != absl::StatusCode::kAborted && group.failed.ok()) {
        group.failed = ack.status();
      }
    };
    while (!local_.Enqueue(*batch, [&group] {
      absl::MutexLock lock(&group.mu);
      group.room = true;
    })) {
      absl::MutexLock lock(&group.mu);
      group.mu.Await(absl::Condition(&group.room));
      group.room = false;
    }
  }
  absl::MutexLock lock(&group.mu);
  group.mu.Await(absl::Condition(&durable));
  absl::MutexLock stats_lock(&mu_);
  stats_.malformed += malformed;
  if (group.failed.ok()) {
    stats_.applied += messages.size() - malformed;
    if (!messages.empty()) stats_.position = messages.back().sequence;
  }
  return group.failed;
}

absl::Status ReplicatedIngest::ChangeRegistry(const v1::RegistryChange& change) {
  std::string message_id;
  {
    absl::MutexLock lock(&mu_);
    message_id = absl::StrCat("registry/", options_.node, "/", absl::ToUnixNanos(absl::Now()), "/",
                              ++registry_changes_made_);
  }
  absl::StatusOr<Appended> appended =
      log_.Append(message_id, EncodeRegistryChange(change, options_.node));
  if (!appended.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "the cluster's log did not store the registry change: ", appended.status().message()));
  }
  const uint64_t position = appended->sequence;
  absl::MutexLock lock(&mu_);
  auto applied = [this, position]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return registry_results_.contains(position) || stopping_;
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&applied), options_.registry_change_wait) ||
      !registry_results_.contains(position)) {
    return absl::DeadlineExceededError(
        absl::StrCat("the change is in the cluster's log (message ", position,
                     ") but this collector has not applied it yet; it will"));
  }
  return registry_results_.extract(position).mapped();
}

absl::Status ReplicatedIngest::ApplyRegistryChange(const v1::RegistryChange& change,
                                                   uint64_t position) {
  absl::Status applied = options_.apply_registry_change(change);
  // The store failed, not the change: the log is read again from here, so that this
  // registry does not part from the others'.
  if (!applied.ok() && !IsRefusal(applied)) return applied;
  LOG_IF(INFO, !applied.ok()) << "replication: the registry change at message " << position
                              << " of the cluster's log is refused here, as everywhere: "
                              << applied.message();
  {
    // The first result stands: applied again after a failure below, a change is refused.
    absl::MutexLock lock(&mu_);
    registry_results_.try_emplace(position, std::move(applied));
    while (registry_results_.size() > kKeptRegistryResults) {
      registry_results_.erase(registry_results_.begin());
    }
  }
  // Applied twice, a change is refused the second time or changes nothing; but a
  // credential revoked and put again would live for a moment: the position goes with it.
  return local_.CommitLogPosition(position);
}

}  // namespace postura::collector
