#include "collector/scoring/scoring_inbox.h"

#include <algorithm>
#include <utility>

#include "common/base/heap.h"

namespace postura::collector {

void ScoringInbox::AddUpdates(std::vector<SourceUpdate> updates) {
  absl::MutexLock lock(&mu_);
  if (pending_.empty()) pending_since_ = absl::Now();
  for (SourceUpdate& update : updates) {
    next_expiry_ = std::min(next_expiry_, update.expires_at_unix_nanos);
    AddOne(update);
  }
  ++handed_over_;
}

size_t ScoringInbox::PendingBytes(const SourceUpdate& update) {
  return sizeof(SourceUpdate) + StringHeapBytes(update.state_key) +
         sizeof(std::pair<size_t, uint32_t>);
}

void ScoringInbox::AddOne(SourceUpdate& update) {
  const size_t hash = absl::HashOf(absl::string_view(update.state_key));
  if (auto it = pending_by_key_hash_.find(hash);
      it != pending_by_key_hash_.end() && pending_[it->second].state_key == update.state_key) {
    SourceUpdate& waiting = pending_[it->second];
    pending_bytes_ = pending_bytes_ - PendingBytes(waiting) + PendingBytes(update);
    waiting = std::move(update);
    ++superseded_;
    return;
  }
  const size_t bytes = PendingBytes(update);
  if (pending_bytes_ + bytes > max_pending_bytes_) {
    const absl::string_view key = update.state_key;
    overflowed_assets_.emplace(key.substr(0, key.find('\0')));
    ++overflowed_;
    return;
  }
  pending_by_key_hash_.try_emplace(hash, static_cast<uint32_t>(pending_.size()));
  pending_bytes_ += bytes;
  pending_.push_back(std::move(update));
}

void ScoringInbox::AddResync(std::string asset_id) {
  absl::MutexLock lock(&mu_);
  pending_resyncs_.push_back(std::move(asset_id));
  ++handed_over_;
}

void ScoringInbox::Flush() {
  absl::MutexLock lock(&mu_);
  // Counts as work itself, so that the scoring thread wakes up for it.
  const uint64_t target = ++handed_over_;
  auto done = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return finished_ >= target || stopping_; };
  mu_.Await(absl::Condition(&done));
}

void ScoringInbox::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

std::optional<ScoringInbox::Round> ScoringInbox::Take(absl::Duration max_wait) {
  absl::MutexLock lock(&mu_);
  auto has_work = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return stopping_ || handed_over_ != finished_ || next_expiry_ <= NowNanos();
  };
  const int64_t until_expiry = next_expiry_ - NowNanos();
  mu_.AwaitWithTimeout(absl::Condition(&has_work),
                       std::min(max_wait, absl::Nanoseconds(std::max<int64_t>(until_expiry, 0))));
  if (stopping_) return std::nullopt;
  Round round;
  round.updates.swap(pending_);
  pending_by_key_hash_.clear();
  round.superseded = std::exchange(superseded_, 0);
  round.updates_since = pending_since_;
  pending_bytes_ = 0;
  round.resyncs.swap(pending_resyncs_);
  round.resyncs.insert(round.resyncs.end(), overflowed_assets_.begin(), overflowed_assets_.end());
  overflowed_assets_.clear();
  round.overflowed = std::exchange(overflowed_, 0);
  round.ticket = handed_over_;
  return round;
}

void ScoringInbox::Finish(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  finished_ = ticket;
}

size_t ScoringInbox::pending_bytes() const {
  absl::MutexLock lock(&mu_);
  return pending_bytes_;
}

bool ScoringInbox::ExpiryDue(int64_t now_unix_nanos) {
  absl::MutexLock lock(&mu_);
  return next_expiry_ <= now_unix_nanos;
}

void ScoringInbox::SetNextExpiry(int64_t unix_nanos) {
  absl::MutexLock lock(&mu_);
  next_expiry_ = unix_nanos;
}

void ScoringInbox::SetNextExpiry(absl::FunctionRef<int64_t()> next) {
  absl::MutexLock lock(&mu_);
  next_expiry_ = next();
}

}  // namespace postura::collector
