#include "collector/ingest/ingest_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace postura::collector {

uint64_t QueuedBytes(const QueuedBatch& batch) {
  uint64_t bytes = sizeof(QueuedBatch) + batch.agent_id.capacity() + batch.encoded.bytes();
  for (const v1::Rejection& rejection : batch.rejections) bytes += rejection.SpaceUsedLong();
  return bytes;
}

absl::StatusOr<std::unique_ptr<IngestWriter>> IngestWriter::Start(
    EvidenceStore& store, const IngestWriterOptions& options) {
  std::unique_ptr<IngestWriter> writer(new IngestWriter(store, options));
  absl::StatusOr<std::vector<std::pair<std::string, AgentProgress>>> progress =
      store.LoadProgress();
  if (!progress.ok()) return progress.status();
  {
    absl::MutexLock lock(&writer->mu_);
    for (auto& [agent, agent_progress] : *progress) writer->progress_[agent] = agent_progress;
  }
  writer->thread_ = std::thread([w = writer.get()] { w->Run(); });
  return writer;
}

IngestWriter::~IngestWriter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

bool IngestWriter::Enqueue(QueuedBatch& batch, absl::AnyInvocable<void()> on_room) {
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

AgentProgress IngestWriter::Progress(const std::string& agent_id) const {
  absl::MutexLock lock(&mu_);
  auto it = progress_.find(agent_id);
  return it == progress_.end() ? AgentProgress{} : it->second;
}

v1::IngestStats IngestWriter::Stats() const {
  absl::MutexLock lock(&mu_);
  v1::IngestStats stats = stats_;
  stats.set_queued_bytes(queued_bytes_);
  stats.set_wal_syncs(store_.wal_syncs());
  return stats;
}

void IngestWriter::Run() {
  while (true) {
    std::deque<QueuedBatch> group;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](IngestWriter* w)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) { return !w->queue_.empty() || w->stopping_; },
          this));
      if (queue_.empty()) return;  // Stopping, and everything is written.
      uint64_t group_bytes = 0;
      while (!queue_.empty() && (group.empty() || group_bytes < options_.max_commit_bytes)) {
        group_bytes += queue_.front().bytes;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
  }
}

namespace {

// Moves what live scoring needs out of the applied batches (their keys are not needed
// once the commit is durable).
std::vector<SourceUpdate> TakeSourceUpdates(std::deque<QueuedBatch>& group,
                                            const std::vector<bool>& duplicate, uint64_t items) {
  std::vector<SourceUpdate> updates;
  updates.reserve(items);
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (duplicate[i]) continue;
    for (EncodedBatch::Entry& entry : group[i].encoded.entries) {
      SourceUpdate& update = updates.emplace_back();
      update.state_key = std::move(entry.state_key);
      update.level = entry.level;
      update.attested = entry.attested;
      update.observed_at_unix_nanos = entry.observed_at_unix_nanos;
      update.expires_at_unix_nanos = entry.expires_at_unix_nanos;
    }
  }
  return updates;
}

}  // namespace

void IngestWriter::CommitGroup(std::deque<QueuedBatch>& group) {
  // Decide what to apply against the progress as committed plus this group's own batches.
  absl::flat_hash_map<std::string, AgentProgress> next;
  std::vector<bool> duplicate(group.size(), false);
  {
    absl::MutexLock lock(&mu_);
    for (const QueuedBatch& queued : group) {
      if (!next.contains(queued.agent_id)) next[queued.agent_id] = progress_[queued.agent_id];
    }
  }
  std::vector<BatchToApply> to_apply;
  uint64_t items_stored = 0, items_rejected = 0, bytes = 0;
  for (std::size_t i = 0; i < group.size(); ++i) {
    QueuedBatch& queued = group[i];
    bytes += queued.bytes;
    AgentProgress& progress = next[queued.agent_id];
    if (queued.sequence <= progress.last_sequence) {
      duplicate[i] = true;
      continue;
    }
    const uint64_t valid_items = queued.encoded.entries.size();
    progress.last_sequence = queued.sequence;
    progress.dropped_items_total =
        std::max(progress.dropped_items_total, queued.dropped_items_total);
    progress.items_stored += valid_items;
    items_stored += valid_items;
    items_rejected += queued.rejections.size();
    to_apply.push_back({&queued.agent_id, &queued.encoded, progress});
  }

  const absl::Time commit_start = absl::Now();
  absl::Status written = to_apply.empty() ? absl::OkStatus() : store_.Commit(to_apply);
  if (!to_apply.empty()) commit_latency_.Observe(absl::Now() - commit_start);
  std::vector<absl::AnyInvocable<void()>> waiting;
  {
    absl::MutexLock lock(&mu_);
    queued_bytes_ -= bytes;
    waiting.swap(waiting_for_room_);
    if (written.ok()) {
      for (auto& [agent, progress] : next) progress_[agent] = progress;
      stats_.set_commits(stats_.commits() + (to_apply.empty() ? 0 : 1));
      stats_.set_batches_stored(stats_.batches_stored() + to_apply.size());
      stats_.set_batches_duplicate(stats_.batches_duplicate() + (group.size() - to_apply.size()));
      stats_.set_items_stored(stats_.items_stored() + items_stored);
      stats_.set_items_rejected(stats_.items_rejected() + items_rejected);
    }
  }
  if (!written.ok()) {
    LOG_EVERY_N(ERROR, 100) << "ingest commit failed: " << written;
  } else if (options_.on_committed && items_stored > 0) {
    options_.on_committed(TakeSourceUpdates(group, duplicate, items_stored));
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    QueuedBatch& queued = group[i];
    if (!written.ok()) {
      queued.done(absl::UnavailableError(absl::StrCat("store write failed: ", written.message())));
      continue;
    }
    v1::Ack ack;
    ack.set_sequence(queued.sequence);
    ack.set_duplicate(duplicate[i]);
    if (!duplicate[i]) {
      for (v1::Rejection& rejection : queued.rejections) *ack.add_rejected() = std::move(rejection);
    }
    queued.done(std::move(ack));
  }
  for (auto& on_room : waiting) on_room();
}

}  // namespace postura::collector
