#include "agent/delivery/spool.h"

#include <unistd.h>

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agent/delivery/spool_files.h"
#include "common/base/utf8.h"
#include "glog/logging.h"

namespace postura::agent {

absl::StatusOr<std::unique_ptr<Spool>> Spool::Open(const SpoolOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(options.directory, error);
  if (error) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create spool directory ", options.directory.string(), ": ", error.message()));
  }
  std::unique_ptr<Spool> spool(new Spool(options));
  absl::MutexLock lock(&spool->mu_);
  if (absl::Status s = spool->Recover(); !s.ok()) return s;
  return spool;
}

absl::Status Spool::Recover() {
  absl::StatusOr<SpoolState> state = ReadSpoolState(options_.directory);
  if (!state.ok()) return state.status();
  absl::StatusOr<RecoveredSpool> recovered = RecoverSegments(options_.directory, *state, sources_);
  if (!recovered.ok()) return recovered.status();
  acknowledged_ = state->acknowledged;
  next_sequence_ = recovered->next_sequence;
  state_next_sequence_ = state->next_sequence;
  dropped_items_total_ = state->dropped_items_total + recovered->set_aside_items;
  segments_ = std::move(recovered->segments);
  // Records set aside while loading are counted durably.
  if (recovered->set_aside_items != 0) return WriteState();
  return absl::OkStatus();
}

void Spool::SetAside(const std::filesystem::path& segment, std::string_view payload,
                     uint64_t sequence, uint32_t items, absl::string_view reason) {
  dropped_items_total_ +=
      SetAsideRecord(options_.directory, segment, payload, sequence, items, reason);
}

absl::Status Spool::WriteState() {
  if (absl::Status s = WriteSpoolState(options_.directory,
                                       {acknowledged_, next_sequence_, dropped_items_total_});
      !s.ok()) {
    return s;
  }
  state_next_sequence_ = next_sequence_;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Spool::Append(std::vector<v1::Evidence> items) {
  absl::MutexLock lock(&mu_);
  for (v1::Evidence& item : items) {
    LOG_IF(WARNING, MakeStringsValidUtf8(item))
        << "spool: evidence of check " << item.check_id() << " held text that is not UTF-8";
    if (item.detail().size() > limits_.max_detail_bytes) {
      item.set_detail(std::string(TruncateUtf8(item.detail(), limits_.max_detail_bytes)));
    }
  }
  uint64_t last = next_sequence_ - 1;
  for (std::vector<v1::Evidence>& group : PackIntoBatches(std::move(items), limits_)) {
    absl::StatusOr<uint64_t> sequence = AppendBatch(std::move(group));
    if (!sequence.ok()) return sequence.status();
    last = *sequence;
  }
  if (absl::Status s = MakeRoom(); !s.ok()) return s;
  return last;
}

absl::StatusOr<uint64_t> Spool::AppendBatch(std::vector<v1::Evidence> items) {
  v1::Batch batch;
  batch.set_sequence(next_sequence_);
  for (v1::Evidence& item : items) *batch.add_items() = std::move(item);
  const std::string record = EncodeRecord(batch);

  const bool new_segment =
      segments_.empty() || segments_.back().bytes + record.size() > options_.segment_bytes;
  if (new_segment) segments_.push_back({SegmentPath(options_.directory, batch.sequence()), 0, {}});
  Segment& segment = segments_.back();
  if (absl::Status s = WriteSynced(segment.path, record, /*truncate=*/false); !s.ok()) {
    // Cut what may have been written, so the next record starts on a record boundary.
    if (truncate(segment.path.c_str(), static_cast<off_t>(segment.bytes)) != 0) {
      LOG(WARNING) << "cannot cut a failed write from " << segment.path;
    }
    if (segment.records.empty()) segments_.pop_back();
    return s;
  }
  if (new_segment) SyncDirectory(options_.directory);
  segment.records.push_back({batch.sequence(), segment.bytes,
                             static_cast<uint32_t>(record.size() - kRecordHeaderBytes),
                             static_cast<uint32_t>(batch.items_size()), sources_.IdsOf(batch)});
  segment.bytes += record.size();
  return next_sequence_++;
}

void Spool::SetIngestLimits(const IngestLimits& limits) {
  absl::MutexLock lock(&mu_);
  limits_ = limits;
}

IngestLimits Spool::ingest_limits() const {
  absl::MutexLock lock(&mu_);
  return limits_;
}

uint64_t Spool::SpooledBytes() const {
  uint64_t bytes = 0;
  for (const Segment& segment : segments_) bytes += segment.bytes;
  return bytes;
}

absl::Status Spool::MakeRoom() {
  if (SpooledBytes() <= options_.max_bytes) return absl::OkStatus();
  if (absl::Status s = DropSuperseded(); !s.ok()) return s;
  return DropOldestPastCap();
}

absl::Status Spool::DropSuperseded() {
  NewestBatchOfSource newest;
  for (const Segment& segment : segments_) {
    for (const Record& record : segment.records) NoteBatch(record.sequence, record.sources, newest);
  }
  const uint64_t bytes_before = SpooledBytes();
  const uint64_t dropped_before = dropped_items_total_;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const bool holds_superseded =
        std::any_of(segments_[i].records.begin(), segments_[i].records.end(), [&](const Record& r) {
          return r.sequence > handed_out_through_ &&
                 CountSuperseded(r.sequence, r.sources, newest) > 0;
        });
    if (!holds_superseded) continue;
    if (absl::Status s = RewriteSegment(i, newest); !s.ok()) return s;
  }
  for (std::size_t i = segments_.size(); i-- > 0;) {
    if (segments_[i].records.empty()) {
      if (absl::Status s = DeleteSegment(i); !s.ok()) return s;
    }
  }
  LOG_IF(WARNING, dropped_items_total_ != dropped_before)
      << "spool over " << options_.max_bytes << " bytes: dropped "
      << dropped_items_total_ - dropped_before
      << " items that newer results of the same checks supersede (" << bytes_before << " -> "
      << SpooledBytes() << " bytes)";
  return absl::OkStatus();
}

absl::Status Spool::RewriteSegment(std::size_t index, const NewestBatchOfSource& newest) {
  Segment& segment = segments_[index];
  const std::string bytes = ReadWholeFile(segment.path);
  std::string file;
  std::vector<Record> kept;
  uint64_t removed = 0;
  for (Record record : segment.records) {
    std::optional<RecordView> view = RecordAt(bytes, record.offset);
    std::optional<v1::Batch> batch;
    const bool superseded = record.sequence > handed_out_through_ &&
                            CountSuperseded(record.sequence, record.sources, newest) > 0;
    if (superseded && view && view->checksum_ok) batch = DecodeBatch(view->payload);
    if (!batch.has_value()) {
      // Kept as it is (Read sets aside a record that cannot be read).
      const uint64_t old_offset = record.offset;
      record.offset = file.size();
      if (old_offset <= bytes.size()) {
        file.append(bytes, old_offset, kRecordHeaderBytes + record.size);
      }
      kept.push_back(std::move(record));
      continue;
    }
    removed += RemoveSuperseded(*batch, record.sources, newest);
    if (batch->items_size() == 0) continue;  // Every item superseded: the batch goes.
    const std::string encoded = EncodeRecord(*batch);
    record.offset = file.size();
    record.size = static_cast<uint32_t>(encoded.size() - kRecordHeaderBytes);
    record.items = static_cast<uint32_t>(batch->items_size());
    file += encoded;
    kept.push_back(std::move(record));
  }
  const std::filesystem::path temporary = options_.directory / kRewriteFileName;
  if (absl::Status s = WriteSynced(temporary, file, /*truncate=*/true); !s.ok()) return s;
  // The count is durable before the items go, so drops are never under-reported.
  dropped_items_total_ += removed;
  if (absl::Status s = WriteState(); !s.ok()) return s;
  std::error_code error;
  std::filesystem::rename(temporary, segment.path, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot replace ", segment.path.string(), ": ", error.message()));
  }
  SyncDirectory(options_.directory);
  segment.records = std::move(kept);
  segment.bytes = file.size();
  return absl::OkStatus();
}

absl::Status Spool::DropOldestPastCap() {
  uint64_t bytes = SpooledBytes();
  while (bytes > options_.max_bytes && segments_.size() > 1) {
    for (const Record& record : segments_.front().records) {
      dropped_items_total_ += record.items;
    }
    LOG(WARNING) << "spool over " << options_.max_bytes << " bytes: dropping "
                 << segments_.front().records.size() << " unacknowledged batches, oldest first";
    bytes -= segments_.front().bytes;
    // The count is durable before the batches go, so drops are never under-reported.
    if (absl::Status s = WriteState(); !s.ok()) return s;
    if (absl::Status s = DeleteSegment(0); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Spool::DeleteSegment(std::size_t index) {
  std::error_code error;
  std::filesystem::remove(segments_[index].path, error);
  if (error)
    return absl::UnavailableError(absl::StrCat("cannot delete ", segments_[index].path.string()));
  segments_.erase(segments_.begin() + static_cast<std::ptrdiff_t>(index));
  SyncDirectory(options_.directory);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Batch>> Spool::Read(uint64_t after, std::size_t max_batches) {
  absl::MutexLock lock(&mu_);
  // Asked for what follows the acknowledged batches: a new stream, nothing else in flight.
  if (after <= acknowledged_) handed_out_through_ = 0;
  std::vector<v1::Batch> batches;
  const uint64_t dropped_before = dropped_items_total_;
  for (Segment& segment : segments_) {
    std::string bytes;
    for (auto record = segment.records.begin();
         record != segment.records.end() && batches.size() < max_batches;) {
      if (record->sequence <= after) {
        ++record;
        continue;
      }
      if (bytes.empty()) bytes = ReadWholeFile(segment.path);
      std::optional<v1::Batch> batch;
      std::string_view payload;
      if (std::optional<RecordView> view = RecordAt(bytes, record->offset)) {
        payload = view->payload;
        if (view->checksum_ok) batch = DecodeBatch(payload);
      }
      if (!batch.has_value()) {
        // Damaged on disk since it was loaded: set aside, never retried forever.
        SetAside(segment.path, payload, record->sequence, record->items,
                 "it can no longer be read");
        record = segment.records.erase(record);
        continue;
      }
      batch->set_dropped_items_total(dropped_items_total_);
      handed_out_through_ = std::max(handed_out_through_, record->sequence);
      batches.push_back(*std::move(batch));
      ++record;
    }
  }
  if (dropped_items_total_ != dropped_before) {
    if (absl::Status s = WriteState(); !s.ok()) return s;
  }
  return batches;
}

absl::Status Spool::Acknowledge(uint64_t sequence) {
  absl::MutexLock lock(&mu_);
  sequence = std::min(sequence, next_sequence_ - 1);
  if (sequence <= acknowledged_) return absl::OkStatus();
  return ForgetThrough(sequence);
}

absl::Status Spool::ForgetThrough(uint64_t sequence) {
  acknowledged_ = sequence;
  if (absl::Status s = WriteState(); !s.ok()) return s;
  for (Segment& segment : segments_) {
    auto first_pending = std::find_if(segment.records.begin(), segment.records.end(),
                                      [&](const Record& r) { return r.sequence > sequence; });
    segment.records.erase(segment.records.begin(), first_pending);
  }
  while (!segments_.empty() && segments_.front().records.empty()) {
    if (absl::Status s = DeleteSegment(0); !s.ok()) return s;
  }
  return absl::OkStatus();
}

const Spool::Record* Spool::Oldest() const {
  for (const Segment& segment : segments_) {
    if (!segment.records.empty()) return &segment.records.front();
  }
  return nullptr;
}

bool Spool::OldestExceedsLimits() const {
  absl::MutexLock lock(&mu_);
  const Record* oldest = Oldest();
  return oldest != nullptr && ExceedsLimits(oldest->items, oldest->size, limits_);
}

absl::StatusOr<std::size_t> Spool::RecutOversizedBatches() {
  absl::MutexLock lock(&mu_);
  const Record* oldest = Oldest();
  // A single item too large for any batch cannot be cut; SetAsideOldest handles it.
  if (oldest == nullptr || oldest->items <= 1 ||
      !ExceedsLimits(oldest->items, oldest->size, limits_)) {
    return 0;
  }
  std::vector<v1::Evidence> items;
  uint64_t last_old = 0;
  for (const Segment& segment : segments_) {
    if (segment.records.empty()) continue;
    const std::string bytes = ReadWholeFile(segment.path);
    for (const Record& record : segment.records) {
      last_old = record.sequence;
      std::optional<v1::Batch> batch;
      if (std::optional<RecordView> view = RecordAt(bytes, record.offset)) {
        batch = DecodeBatch(view->payload);
      }
      if (!batch.has_value()) {
        return absl::DataLossError(
            absl::StrCat("spool record ", record.sequence, " cannot be read to cut it anew"));
      }
      for (v1::Evidence& item : *batch->mutable_items()) items.push_back(std::move(item));
    }
  }
  // The new batches go to a file of their own, adopted by the state write that follows.
  Segment recut{SegmentPath(options_.directory, next_sequence_), 0, {}};
  std::string file;
  uint64_t sequence = next_sequence_;
  const std::vector<std::vector<v1::Evidence>> groups = PackIntoBatches(std::move(items), limits_);
  for (const std::vector<v1::Evidence>& group : groups) {
    v1::Batch batch;
    batch.set_sequence(sequence++);
    for (const v1::Evidence& item : group) *batch.add_items() = item;
    const std::string record = EncodeRecord(batch);
    recut.records.push_back({batch.sequence(), file.size(),
                             static_cast<uint32_t>(record.size() - kRecordHeaderBytes),
                             static_cast<uint32_t>(group.size()), sources_.IdsOf(batch)});
    file += record;
  }
  recut.bytes = file.size();
  const std::filesystem::path temporary = options_.directory / kRecutFileName;
  if (absl::Status s = WriteSynced(temporary, file, /*truncate=*/true); !s.ok()) return s;
  const uint64_t old_next = next_sequence_;
  next_sequence_ = sequence;
  acknowledged_ = last_old;  // The old numbers are done: their items live on in the recut.
  if (absl::Status s = WriteState(); !s.ok()) {
    next_sequence_ = old_next;
    return s;
  }
  std::error_code error;
  std::filesystem::rename(temporary, recut.path, error);
  if (error) return absl::UnavailableError(absl::StrCat("spool recut: ", error.message()));
  SyncDirectory(options_.directory);
  while (!segments_.empty()) {
    if (absl::Status s = DeleteSegment(0); !s.ok()) return s;
  }
  segments_.push_back(std::move(recut));
  LOG(WARNING) << "spool: cut batches up to " << last_old << " anew as " << groups.size()
               << " batches of at most " << limits_.max_items << " items";
  return groups.size();
}

absl::StatusOr<uint64_t> Spool::SetAsideOldest(absl::string_view reason) {
  absl::MutexLock lock(&mu_);
  const Segment* holder = nullptr;
  for (const Segment& segment : segments_) {
    if (!segment.records.empty()) {
      holder = &segment;
      break;
    }
  }
  if (holder == nullptr) return 0;
  const Record oldest = holder->records.front();
  const std::string bytes = ReadWholeFile(holder->path);
  std::string_view payload;
  if (std::optional<RecordView> view = RecordAt(bytes, oldest.offset)) payload = view->payload;
  SetAside(holder->path, payload, oldest.sequence, oldest.items, reason);
  if (absl::Status s = ForgetThrough(oldest.sequence); !s.ok()) return s;
  return oldest.sequence;
}

uint64_t Spool::acknowledged() const {
  absl::MutexLock lock(&mu_);
  return acknowledged_;
}

uint64_t Spool::next_sequence() const {
  absl::MutexLock lock(&mu_);
  return next_sequence_;
}

uint64_t Spool::dropped_items_total() const {
  absl::MutexLock lock(&mu_);
  return dropped_items_total_;
}

std::size_t Spool::pending_batches() const {
  absl::MutexLock lock(&mu_);
  std::size_t count = 0;
  for (const Segment& segment : segments_) count += segment.records.size();
  return count;
}

uint64_t Spool::pending_bytes() const {
  absl::MutexLock lock(&mu_);
  uint64_t bytes = 0;
  for (const Segment& segment : segments_) {
    for (const Record& record : segment.records) bytes += kRecordHeaderBytes + record.size;
  }
  return bytes;
}

uint64_t Spool::oldest_pending() const {
  absl::MutexLock lock(&mu_);
  const Record* oldest = Oldest();
  return oldest == nullptr ? 0 : oldest->sequence;
}

}  // namespace postura::agent
