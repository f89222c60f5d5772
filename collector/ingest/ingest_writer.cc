#include "collector/ingest/ingest_writer.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/base/thread_name.h"
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

void IngestWriter::CountSignatureRefusal() {
  absl::MutexLock lock(&mu_);
  stats_.set_batches_signature_refused(stats_.batches_signature_refused() + 1);
}

v1::IngestStats IngestWriter::Stats() const {
  absl::MutexLock lock(&mu_);
  v1::IngestStats stats = stats_;
  stats.set_queued_bytes(queued_bytes_);
  stats.set_wal_syncs(store_.wal_syncs());
  stats.set_store_write_stopped(!store_error_.ok());
  stats.set_store_write_error(std::string(store_error_.message()));
  uint64_t dropped = 0;
  for (const auto& [agent, progress] : progress_) dropped += progress.dropped_items_total;
  stats.set_agent_dropped_items(dropped);
  return stats;
}

void IngestWriter::Run() {
  NameThisThread("ingest-writer");
  while (true) {
    std::deque<QueuedBatch> group;
    bool resume_due = false;
    {
      absl::MutexLock lock(&mu_);
      const absl::Condition work(
          +[](IngestWriter* w)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) { return !w->queue_.empty() || w->stopping_; },
          this);
      if (store_error_.ok()) {
        mu_.Await(work);
      } else {
        // Stopped: wake for batches (refused at once) or when the store is due a retry, so
        // ingest resumes by itself even while no agent sends.
        mu_.AwaitWithDeadline(work, next_resume_);
        resume_due = absl::Now() >= next_resume_;
      }
      if (queue_.empty() && stopping_) return;  // Everything is written or refused.
      uint64_t group_bytes = 0;
      while (!queue_.empty() && (group.empty() || group_bytes < options_.max_commit_bytes)) {
        group_bytes += queue_.front().bytes;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (resume_due) TryResume();
    if (!group.empty()) CommitGroup(group);
  }
}

namespace {

// What a batch's stream is told when the store cannot write: the agent keeps the batch
// and resends it later.
absl::Status Refusal(const absl::Status& store_error) {
  if (absl::IsResourceExhausted(store_error)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the collector's disk is full, so evidence cannot be stored now; resend "
                     "later (",
                     store_error.message(), ")"));
  }
  return absl::UnavailableError(absl::StrCat("store write failed: ", store_error.message()));
}

}  // namespace

void IngestWriter::NoteStoreStopped(const absl::Status& error) {
  store_error_ = error;
  if (stop_logged_) {
    // A resume that did not hold (the first write failed again): the same stop goes on.
    resume_delay_ = std::min(resume_delay_ * 2, options_.max_resume_delay);
    next_resume_ = absl::Now() + resume_delay_;
    return;
  }
  stop_logged_ = true;
  stopped_since_ = absl::Now();
  resume_delay_ = options_.first_resume_delay;
  next_resume_ = stopped_since_ + resume_delay_;
  refused_in_stop_ = 0;
  LOG(ERROR) << "ingest stopped: the store cannot write (" << error.message()
             << "); batches are refused with "
             << (absl::IsResourceExhausted(error) ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE")
             << " and their agents keep them; retrying the store every "
             << options_.first_resume_delay << " to " << options_.max_resume_delay;
}

void IngestWriter::TryResume() {
  const absl::Status resumed = store_.Resume();
  absl::MutexLock lock(&mu_);
  if (!resumed.ok()) {
    resume_delay_ = std::min(resume_delay_ * 2, options_.max_resume_delay);
    next_resume_ = absl::Now() + resume_delay_;
    return;
  }
  store_error_ = absl::OkStatus();  // The stop ends with the next write that succeeds.
}

void IngestWriter::NoteStoreWrote() {
  if (!stop_logged_) return;
  stop_logged_ = false;
  LOG(WARNING) << "ingest resumed: the store writes again after " << absl::Now() - stopped_since_
               << "; " << refused_in_stop_
               << " batches were refused meanwhile and are resent by their agents";
}

namespace {

// What becomes of one batch of a group.
enum class Verdict { kApply, kResend, kConflict };

Verdict Judge(const AgentProgress& progress, const QueuedBatch& batch) {
  if (batch.sequence > progress.last_sequence) return Verdict::kApply;
  for (const AppliedBatch& applied : progress.recent) {
    if (applied.sequence == batch.sequence) {
      return applied.digest == batch.digest ? Verdict::kResend : Verdict::kConflict;
    }
  }
  return Verdict::kConflict;  // Older than the digests kept, or never applied.
}

// Moves what live scoring needs out of the applied batches (their keys are not needed
// once the commit is durable).
std::vector<SourceUpdate> TakeSourceUpdates(std::deque<QueuedBatch>& group,
                                            const std::vector<Verdict>& verdicts, uint64_t items) {
  std::vector<SourceUpdate> updates;
  updates.reserve(items);
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (verdicts[i] != Verdict::kApply) continue;
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

absl::Status ConflictRefusal(const QueuedBatch& batch, uint64_t last_sequence) {
  return absl::AbortedError(absl::StrCat(
      "sequence conflict: batch ", batch.sequence, " of agent '", batch.agent_id,
      "' differs from the batch stored under that sequence, or is older than the batches the "
      "collector remembers (highest stored: ",
      last_sequence,
      "); refused and reported as a security event. Another party may hold this agent's "
      "credential"));
}

// The records a conflict commits: the agent's progress alone.
const EncodedBatch kNoRecords;

}  // namespace

void IngestWriter::CommitGroup(std::deque<QueuedBatch>& group) {
  // Decide what to apply against the progress as committed plus this group's own batches.
  absl::flat_hash_map<std::string, AgentProgress> next;
  std::vector<Verdict> verdicts(group.size(), Verdict::kApply);
  {
    absl::MutexLock lock(&mu_);
    for (const QueuedBatch& queued : group) {
      if (!next.contains(queued.agent_id)) next[queued.agent_id] = progress_[queued.agent_id];
    }
  }
  std::vector<BatchToApply> to_apply;
  std::vector<SequenceConflict> conflicts;
  absl::flat_hash_set<std::string> heard;
  uint64_t items_stored = 0, items_rejected = 0, bytes = 0, applied = 0, resent = 0;
  uint64_t log_position = 0;
  const absl::Time now = absl::Now();
  for (std::size_t i = 0; i < group.size(); ++i) {
    QueuedBatch& queued = group[i];
    bytes += queued.bytes;
    log_position = std::max(log_position, queued.log_position);
    AgentProgress& progress = next[queued.agent_id];
    verdicts[i] = Judge(progress, queued);
    if (verdicts[i] == Verdict::kResend) {
      ++resent;
      heard.insert(queued.agent_id);
      continue;
    }
    if (verdicts[i] == Verdict::kConflict) {
      ++progress.sequence_conflicts;
      progress.last_conflict_unix_nanos = absl::ToUnixNanos(now);
      conflicts.push_back({queued.agent_id, queued.peer, queued.sequence, progress.last_sequence,
                           progress.sequence_conflicts, now});
      to_apply.push_back({&queued.agent_id, &kNoRecords, progress});
      continue;
    }
    const uint64_t valid_items = queued.encoded.entries.size();
    progress.last_sequence = queued.sequence;
    progress.dropped_items_total =
        std::max(progress.dropped_items_total, queued.dropped_items_total);
    progress.items_stored += valid_items;
    progress.recent.push_back({queued.sequence, queued.digest});
    if (progress.recent.size() > options_.recent_batches) {
      progress.recent.erase(progress.recent.begin(),
                            progress.recent.end() - options_.recent_batches);
    }
    items_stored += valid_items;
    items_rejected += queued.rejections.size();
    ++applied;
    heard.insert(queued.agent_id);
    to_apply.push_back({&queued.agent_id, &queued.encoded, progress});
  }

  absl::Status written = absl::OkStatus();
  if (!to_apply.empty()) {
    {
      absl::MutexLock lock(&mu_);
      written = store_error_;  // A stopped store is not written to until it resumes.
    }
    if (written.ok()) {
      const absl::Time commit_start = absl::Now();
      written = store_.Commit(to_apply, log_position);
      commit_latency_.Observe(absl::Now() - commit_start);
    }
  }
  std::vector<absl::AnyInvocable<void()>> waiting;
  {
    absl::MutexLock lock(&mu_);
    queued_bytes_ -= bytes;
    waiting.swap(waiting_for_room_);
    if (!written.ok()) {
      if (store_error_.ok()) NoteStoreStopped(written);
      stats_.set_batches_refused(stats_.batches_refused() + group.size());
      refused_in_stop_ += group.size();
    } else {
      if (!to_apply.empty()) NoteStoreWrote();
      for (auto& [agent, progress] : next) progress_[agent] = std::move(progress);
      stats_.set_commits(stats_.commits() + (to_apply.empty() ? 0 : 1));
      stats_.set_batches_stored(stats_.batches_stored() + applied);
      stats_.set_batches_duplicate(stats_.batches_duplicate() + resent);
      stats_.set_batches_conflicting(stats_.batches_conflicting() + conflicts.size());
      stats_.set_items_stored(stats_.items_stored() + items_stored);
      stats_.set_items_rejected(stats_.items_rejected() + items_rejected);
    }
  }
  if (written.ok()) {
    for (const SequenceConflict& conflict : conflicts) {
      LOG(WARNING) << "sequence conflict: agent '" << conflict.agent_id << "' from "
                   << conflict.peer << " sent batch " << conflict.sequence
                   << ", which differs from what is stored under that sequence or is older than "
                      "the batches remembered (highest stored "
                   << conflict.last_sequence << "); refused (conflict " << conflict.agent_conflicts
                   << " of this agent)";
      if (options_.on_conflict) options_.on_conflict(conflict);
    }
  }
  if (written.ok() && options_.on_committed && items_stored > 0) {
    options_.on_committed(TakeSourceUpdates(group, verdicts, items_stored));
  }
  if (written.ok() && options_.on_agents_heard && !heard.empty()) {
    options_.on_agents_heard(std::vector<std::string>(heard.begin(), heard.end()));
  }
  std::size_t next_conflict = 0;
  for (std::size_t i = 0; i < group.size(); ++i) {
    QueuedBatch& queued = group[i];
    if (!written.ok()) {
      queued.done(Refusal(written));
      continue;
    }
    if (verdicts[i] == Verdict::kConflict) {
      queued.done(ConflictRefusal(queued, conflicts[next_conflict++].last_sequence));
      continue;
    }
    v1::Ack ack;
    ack.set_sequence(queued.sequence);
    ack.set_duplicate(verdicts[i] == Verdict::kResend);
    if (verdicts[i] == Verdict::kApply) {
      for (v1::Rejection& rejection : queued.rejections) *ack.add_rejected() = std::move(rejection);
    }
    queued.done(std::move(ack));
  }
  for (auto& on_room : waiting) on_room();
}

}  // namespace postura::collector
