#include "collector/scoring/scoring_inbox.h"

#include <algorithm>
#include <utility>

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

void ScoringInbox::AddOne(SourceUpdate& update) {
  const size_t hash = absl::HashOf(absl::string_view(update.state_key));
  const auto [it, inserted] =
      pending_by_key_hash_.try_emplace(hash, static_cast<uint32_t>(pending_.size()));
  if (!inserted && pending_[it->second].state_key == update.state_key) {
    pending_[it->second] = std::move(update);
    ++superseded_;
    return;
  }
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
  round.resyncs.swap(pending_resyncs_);
  round.ticket = handed_over_;
  return round;
}

void ScoringInbox::Finish(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  finished_ = ticket;
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
