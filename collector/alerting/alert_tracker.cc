#include "collector/alerting/alert_tracker.h"

#include <algorithm>

namespace postura::collector {

AlertTracker::AlertTracker(std::vector<absl::Duration> hold_downs)
    : hold_downs_(std::move(hold_downs)) {}

void AlertTracker::RestoreFiring(int rule, const v1::AlertTransition& fired, absl::Time now) {
  Alert& alert = alerts_[fired.id()];
  alert.rule = rule;
  alert.condition = true;
  alert.condition_since = now;
  alert.first_seen = absl::FromUnixNanos(fired.condition_since_unix_nanos());
  alert.firing = true;
  alert.fired_at_unix_nanos = fired.at_unix_nanos();
  alert.facts = fired;
  if (!fired.asset_id().empty()) by_asset_[fired.asset_id()].insert(fired.id());
}

void AlertTracker::Observe(const AlertObservation& observation, absl::Time now) {
  const std::string& id = observation.facts.id();
  auto it = alerts_.find(id);
  if (it == alerts_.end()) {
    if (!observation.condition) return;
    it = alerts_.emplace(id, Alert{}).first;
    it->second.rule = observation.rule;
    it->second.condition = true;
    it->second.condition_since = now;
    it->second.first_seen = now;
    if (!observation.facts.asset_id().empty()) by_asset_[observation.facts.asset_id()].insert(id);
  } else if (it->second.condition != observation.condition) {
    it->second.condition = observation.condition;
    it->second.condition_since = now;
    if (observation.condition && !it->second.firing) it->second.first_seen = now;
  }
  Alert& alert = it->second;
  if (observation.condition) alert.facts = observation.facts;
  if (!alert.condition && !alert.firing) {  // Cleared within its hold-down: never fired.
    Forget(id);
    return;
  }
  if (Waiting(alert)) {
    waiting_.insert(id);
  } else {
    waiting_.erase(id);
  }
}

std::vector<v1::AlertTransition> AlertTracker::Due(absl::Time now) const {
  std::vector<v1::AlertTransition> due;
  for (const std::string& id : waiting_) {
    const Alert& alert = alerts_.at(id);
    if (now - alert.condition_since < hold_downs_[alert.rule]) continue;
    v1::AlertTransition& transition = due.emplace_back(alert.facts);
    transition.set_state(alert.condition ? v1::AlertTransition::FIRING
                                         : v1::AlertTransition::RESOLVED);
    transition.set_at_unix_nanos(absl::ToUnixNanos(now));
    transition.set_condition_since_unix_nanos(absl::ToUnixNanos(alert.first_seen));
    transition.set_fired_at_unix_nanos(alert.condition ? 0 : alert.fired_at_unix_nanos);
  }
  // In the order the hold-downs ended, so receivers see causes in time order.
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    if (a.condition_since_unix_nanos() != b.condition_since_unix_nanos()) {
      return a.condition_since_unix_nanos() < b.condition_since_unix_nanos();
    }
    return a.id() < b.id();
  });
  return due;
}

void AlertTracker::MarkRecorded(const v1::AlertTransition& transition) {
  auto it = alerts_.find(transition.id());
  if (it == alerts_.end()) return;
  if (transition.state() == v1::AlertTransition::FIRING) {
    it->second.firing = true;
    it->second.fired_at_unix_nanos = transition.at_unix_nanos();
    waiting_.erase(transition.id());
  } else {
    Forget(transition.id());
  }
}

void AlertTracker::Forget(const std::string& id) {
  auto it = alerts_.find(id);
  if (it == alerts_.end()) return;
  const std::string& asset = it->second.facts.asset_id();
  if (auto ids = by_asset_.find(asset); ids != by_asset_.end()) {
    ids->second.erase(id);
    if (ids->second.empty()) by_asset_.erase(ids);
  }
  waiting_.erase(id);
  alerts_.erase(it);
}

std::vector<std::string> AlertTracker::AlertsOfAsset(const std::string& asset_id) const {
  auto it = by_asset_.find(asset_id);
  if (it == by_asset_.end()) return {};
  return std::vector<std::string>(it->second.begin(), it->second.end());
}

std::vector<std::string> AlertTracker::AlertsOfRule(int rule) const {
  std::vector<std::string> ids;
  for (const auto& [id, alert] : alerts_) {
    if (alert.rule == rule) ids.push_back(id);
  }
  return ids;
}

bool AlertTracker::Firing(const std::string& id) const {
  auto it = alerts_.find(id);
  return it != alerts_.end() && it->second.firing;
}

const v1::AlertTransition* AlertTracker::Facts(const std::string& id) const {
  auto it = alerts_.find(id);
  return it == alerts_.end() ? nullptr : &it->second.facts;
}

std::vector<uint64_t> AlertTracker::FiringByRule() const {
  std::vector<uint64_t> firing(hold_downs_.size(), 0);
  for (const auto& [id, alert] : alerts_) firing[alert.rule] += alert.firing;
  return firing;
}

absl::Time AlertTracker::NextDue() const {
  absl::Time next = absl::InfiniteFuture();
  for (const std::string& id : waiting_) {
    const Alert& alert = alerts_.at(id);
    next = std::min(next, alert.condition_since + hold_downs_[alert.rule]);
  }
  return next;
}

v1::AlertTransition& AppendHolding(std::vector<AlertObservation>& out, int rule,
                                   const AlertRuleOptions& options, std::string id) {
  AlertObservation& observation = out.emplace_back();
  observation.rule = rule;
  observation.condition = true;
  observation.facts.set_id(std::move(id));
  observation.facts.set_rule(options.name);
  observation.facts.set_kind(std::string(AlertKindName(options.kind)));
  return observation.facts;
}

void AppendClearedExcept(std::vector<AlertObservation>& out, int rule,
                         const absl::flat_hash_set<std::string>& holding,
                         const AlertTracker& tracker) {
  for (const std::string& id : tracker.AlertsOfRule(rule)) {
    if (holding.contains(id)) continue;
    AlertObservation& clear = out.emplace_back();
    clear.rule = rule;
    clear.condition = false;
    clear.facts = *tracker.Facts(id);
  }
}

}  // namespace postura::collector
