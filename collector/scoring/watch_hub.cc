#include "collector/scoring/watch_hub.h"

#include <algorithm>

namespace postura::collector {

WatchFilter WatchFilter::FromRequest(const v1::WatchRequest& request) {
  WatchFilter filter;
  filter.asset_ids.insert(request.asset_ids().begin(), request.asset_ids().end());
  filter.department_id = request.department_id();
  filter.supplier_id = request.supplier_id();
  filter.only_target_transitions = request.only_target_transitions();
  return filter;
}

bool WatchFilter::Matches(const v1::ScoreUpdate& update, bool initial) const {
  const v1::AssetSummary& summary = update.summary();
  if (!asset_ids.empty() && !asset_ids.contains(summary.asset_id())) return false;
  // A removal carries only the id: it reaches every watcher that may have shown the asset.
  if (update.removed()) return true;
  if (!department_id.empty() && summary.department_id() != department_id) return false;
  if (!supplier_id.empty() && summary.supplier_id() != supplier_id) return false;
  return initial || !only_target_transitions || update.targets_met_changed();
}

Watcher::Watcher(WatchFilter filter, std::function<void()> on_ready)
    : filter_(std::move(filter)), on_ready_(std::move(on_ready)) {}

void Watcher::Offer(const v1::ScoreUpdate& update, bool initial) {
  if (!filter_.Matches(update, initial)) return;
  bool became_ready = false;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    auto [it, inserted] = waiting_.try_emplace(update.summary().asset_id(), update);
    if (inserted) {
      became_ready = order_.empty();
      order_.push_back(update.summary().asset_id());
    } else {
      // Keep a target transition visible even when a later update replaces it.
      const bool transition = it->second.targets_met_changed();
      it->second = update;
      if (transition) it->second.set_targets_met_changed(true);
      ++coalesced_;
    }
  }
  if (became_ready && on_ready_) on_ready_();
}

std::optional<v1::ScoreUpdate> Watcher::TryTake() {
  absl::MutexLock lock(&mu_);
  if (order_.empty()) return std::nullopt;
  auto node = waiting_.extract(order_.front());
  order_.pop_front();
  return std::move(node.mapped());
}

std::optional<v1::ScoreUpdate> Watcher::Take(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return closed_ || !order_.empty(); };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (order_.empty()) return std::nullopt;
  auto node = waiting_.extract(order_.front());
  order_.pop_front();
  return std::move(node.mapped());
}

void Watcher::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  order_.clear();
  waiting_.clear();
}

bool Watcher::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

uint64_t Watcher::coalesced() const {
  absl::MutexLock lock(&mu_);
  return coalesced_;
}

void WatchHub::Add(std::shared_ptr<Watcher> watcher) {
  absl::MutexLock lock(&mu_);
  watchers_.push_back(std::move(watcher));
}

void WatchHub::Remove(const Watcher* watcher) {
  absl::MutexLock lock(&mu_);
  watchers_.erase(std::remove_if(watchers_.begin(), watchers_.end(),
                                 [&](const auto& w) { return w.get() == watcher; }),
                  watchers_.end());
}

void WatchHub::Publish(const std::vector<v1::ScoreUpdate>& updates) {
  absl::MutexLock lock(&mu_);
  for (const std::shared_ptr<Watcher>& watcher : watchers_) {
    for (const v1::ScoreUpdate& update : updates) watcher->Offer(update);
  }
}

void WatchHub::CloseAll() {
  absl::MutexLock lock(&mu_);
  for (const std::shared_ptr<Watcher>& watcher : watchers_) watcher->Close();
  watchers_.clear();
}

int WatchHub::size() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(watchers_.size());
}

}  // namespace postura::collector
