#include "collector/history/history_recorder.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "collector/history/history_keys.h"
#include "common/base/heap.h"
#include "common/base/thread_name.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// The time the history began, read or noted now.
absl::StatusOr<absl::Time> EnsureBegan(EvidenceStore& store, absl::Time now) {
  std::optional<int64_t> began;
  absl::Status read =
      store.ScanHistory(kHistoryBeganKey, absl::StrCat(kHistoryBeganKey, std::string(1, '\0')),
                        /*backward=*/false, [&](absl::string_view, absl::string_view value) {
                          began = DecodeUnixNanos(value);
                          return false;
                        });
  if (!read.ok()) return read;
  if (began) return absl::FromUnixNanos(*began);
  absl::Status noted = store.WriteHistory(
      {{.key = std::string(kHistoryBeganKey), .value = EncodeUnixNanos(absl::ToUnixNanos(now))}});
  if (!noted.ok()) return noted;
  return now;
}

}  // namespace

size_t QueuedBytes(const HistoryChange& change) {
  const size_t figures = change.figures.has_time() ? sizeof(google::protobuf::Timestamp) : 0;
  const size_t index_entry =
      sizeof(std::pair<std::string, size_t>) + StringHeapBytes(change.subject);
  return sizeof(HistoryChange) + StringHeapBytes(change.subject) + figures + index_entry;
}

size_t QueuedBytes(const GapEvent& event) {
  return sizeof(GapEvent) + StringHeapBytes(event.asset_id) + StringHeapBytes(event.outcome_id);
}

absl::StatusOr<std::unique_ptr<HistoryRecorder>> HistoryRecorder::Start(
    EvidenceStore& store, Clock& clock, HistoryRecorderOptions options) {
  if (absl::Status valid = ValidateHistoryRetention(options.retention); !valid.ok()) return valid;
  std::unique_ptr<HistoryRecorder> recorder(new HistoryRecorder(store, clock, options));
  absl::StatusOr<absl::Time> began = EnsureBegan(store, clock.TimeNow());
  if (!began.ok()) return began.status();
  recorder->began_ = *began;
  recorder->thread_ = std::thread([r = recorder.get()] { r->Run(); });
  return recorder;
}

HistoryRecorder::~HistoryRecorder() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void HistoryRecorder::Record(std::string subject, int64_t unix_nanos,
                             const v1::HistoryPoint& figures) {
  absl::MutexLock lock(&mu_);
  Queue(Change{std::move(subject), unix_nanos, figures});
}

void HistoryRecorder::Record(std::vector<HistoryChange> changes) {
  if (changes.empty()) return;
  absl::MutexLock lock(&mu_);
  for (HistoryChange& change : changes) Queue(std::move(change));
}

void HistoryRecorder::RecordGaps(std::vector<GapEvent> events) {
  if (events.empty()) return;
  absl::MutexLock lock(&mu_);
  for (GapEvent& event : events) {
    ++queued_total_;
    const size_t bytes = QueuedBytes(event);
    if (queued_bytes_ + bytes > options_.max_queued_bytes) {
      ++stats_.gap_events_dropped;
      ++written_total_;
      continue;
    }
    queued_bytes_ += bytes;
    gap_queue_.push_back(std::move(event));
  }
}

void HistoryRecorder::Queue(Change change) {
  ++queued_total_;
  if (auto waiting = queued_at_.find(change.subject); waiting != queued_at_.end()) {
    Change& queued = queue_[waiting->second];
    queued_bytes_ -= QueuedBytes(queued);
    queued.unix_nanos = change.unix_nanos;
    queued.figures = std::move(change.figures);
    queued_bytes_ += QueuedBytes(queued);
    ++written_total_;  // Coalesced into the waiting change.
    return;
  }
  const size_t bytes = QueuedBytes(change);
  if (queued_bytes_ + bytes > options_.max_queued_bytes) {
    ++stats_.points_dropped;
    ++written_total_;  // Handled: there is nothing to wait for.
    return;
  }
  queued_bytes_ += bytes;
  queued_at_.emplace(change.subject, queue_.size());
  queue_.push_back(std::move(change));
}

void HistoryRecorder::Flush() {
  absl::MutexLock lock(&mu_);
  const uint64_t target = queued_total_;
  ++flushes_waiting_;  // Wakes the thread now rather than at the next interval.
  auto written = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return written_total_ >= target || stopping_;
  };
  mu_.Await(absl::Condition(&written));
  --flushes_waiting_;
}

HistoryRecorderStats HistoryRecorder::Stats() const {
  absl::MutexLock lock(&mu_);
  HistoryRecorderStats stats = stats_;
  stats.queued_changes = queue_.size();
  stats.queued_gap_events = gap_queue_.size();
  stats.queued_bytes = queued_bytes_;
  return stats;
}

void HistoryRecorder::Run() {
  NameThisThread("history");
  while (true) {
    std::vector<Change> changes;
    std::vector<GapEvent> gaps;
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stopping_ || (flushes_waiting_ > 0 && !(queue_.empty() && gap_queue_.empty()));
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready), options_.write_interval);
      changes.swap(queue_);
      queued_at_.clear();
      gaps.swap(gap_queue_);
      queued_bytes_ = 0;
      stopping = stopping_;
    }
    Write(changes);
    WriteGaps(gaps);
    if (stopping) return;
    if (clock_.TimeNow() - last_downsample_ >= options_.downsample_interval) Downsample();
  }
}

void HistoryRecorder::Write(std::vector<Change>& changes) {
  if (changes.empty()) return;
  std::vector<EvidenceStore::HistoryWrite> writes;
  writes.reserve(changes.size());
  for (const Change& change : changes) {
    writes.push_back({.key = HistoryKey(change.subject, change.unix_nanos),
                      .value = EncodeHistoryPoint(change.figures),
                      .erase = false});
  }
  absl::Status written = store_.WriteHistory(writes);
  if (!written.ok()) {
    LOG_EVERY_N(ERROR, 100) << "cannot record score history: " << written;
  }
  absl::MutexLock lock(&mu_);
  if (written.ok()) {
    stats_.points_written += changes.size();
  } else {
    ++stats_.write_errors;
  }
  written_total_ += changes.size();
}

void HistoryRecorder::WriteGaps(const std::vector<GapEvent>& events) {
  const size_t per_write = std::max<size_t>(1, options_.gap_events_per_write);
  for (size_t begin = 0; begin < events.size(); begin += per_write) {
    const size_t end = std::min(events.size(), begin + per_write);
    const absl::Span<const GapEvent> run(events.data() + begin, end - begin);
    absl::StatusOr<GapWriteStats> written = WriteGapEvents(store_, run);
    if (!written.ok()) {
      LOG_EVERY_N(ERROR, 100) << "cannot record gap episodes: " << written.status();
    }
    absl::MutexLock lock(&mu_);
    if (written.ok()) {
      stats_.gaps_opened += written->opened;
      stats_.gaps_closed += written->closed;
    } else {
      ++stats_.write_errors;
    }
    written_total_ += run.size();
  }
}

void HistoryRecorder::Downsample() {
  const absl::Time now = clock_.TimeNow();
  absl::StatusOr<DownsampleStats> stats = DownsampleHistory(store_, options_.retention, now);
  if (!stats.ok()) {
    LOG(ERROR) << "cannot downsample score history (retried in " << options_.downsample_interval
               << "): " << stats.status();
  }
  last_downsample_ = now;
  if (!stats.ok()) return;
  absl::MutexLock lock(&mu_);
  stats_.points_downsampled += stats->points_deleted;
  stats_.gaps_pruned += stats->gap_episodes_deleted;
}

}  // namespace postura::collector
