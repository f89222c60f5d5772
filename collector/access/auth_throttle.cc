#include "collector/access/auth_throttle.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace postura::collector {

std::string PeerAddress(absl::string_view peer) {
  if (!absl::ConsumePrefix(&peer, "ipv4:")) absl::ConsumePrefix(&peer, "ipv6:");
  if (absl::ConsumePrefix(&peer, "[")) {
    const size_t end = peer.find(']');
    return std::string(end == absl::string_view::npos ? peer : peer.substr(0, end));
  }
  // Two colons or more without brackets: an IPv6 address without a port.
  const size_t colon = peer.rfind(':');
  if (colon == absl::string_view::npos || peer.find(':') != colon) return std::string(peer);
  return std::string(peer.substr(0, colon));
}

absl::Status AuthThrottle::Check(absl::string_view address) {
  const absl::Time now = clock_.TimeNow();
  absl::MutexLock lock(&mu_);
  auto it = peers_.find(address);
  if (it == peers_.end() || now >= it->second.blocked_until) return absl::OkStatus();
  ++stats_.refusals;
  const absl::Duration left = absl::Ceil(it->second.blocked_until - now, absl::Seconds(1));
  return absl::ResourceExhaustedError(absl::StrCat(
      "too many failed authentications from ", address, "; refused for ",
      absl::FormatDuration(left), " more (docs/security.md, \"Failed authentication\")"));
}

void AuthThrottle::RecordFailure(absl::string_view address) {
  const absl::Time now = clock_.TimeNow();
  absl::MutexLock lock(&mu_);
  ++stats_.failures;
  auto it = peers_.find(address);
  if (it == peers_.end()) {
    if (peers_.size() >= options_.max_addresses) Forget(now);
    if (peers_.size() >= options_.max_addresses) return;
    it = peers_.emplace(std::string(address), Peer()).first;
    it->second.window_start = now;
    it->second.last_failure = now;
  }
  Peer& peer = it->second;
  if (now < peer.blocked_until) return;  // Refused calls are not checked, so never fail.
  // A quiet address starts its escalation again.
  if (now - std::max(peer.last_failure, peer.blocked_until) >= options_.max_block) {
    peer.last_block = absl::ZeroDuration();
  }
  peer.last_failure = now;
  if (now - peer.window_start >= options_.window) {
    peer.window_start = now;
    peer.failures = 0;
  }
  if (++peer.failures < options_.max_failures) return;
  peer.last_block = peer.last_block == absl::ZeroDuration()
                        ? options_.first_block
                        : std::min(peer.last_block * 2, options_.max_block);
  peer.blocked_until = now + peer.last_block;
  peer.failures = 0;
  peer.window_start = peer.blocked_until;
  ++stats_.blocks;
}

void AuthThrottle::Forget(absl::Time now) {
  absl::erase_if(peers_, [&](const auto& entry) {
    const Peer& peer = entry.second;
    return now - std::max(peer.last_failure, peer.blocked_until) >= options_.max_block;
  });
}

AuthThrottleStats AuthThrottle::Stats() const {
  const absl::Time now = clock_.TimeNow();
  absl::MutexLock lock(&mu_);
  AuthThrottleStats stats = stats_;
  stats.blocked_addresses = 0;
  for (const auto& [address, peer] : peers_) stats.blocked_addresses += now < peer.blocked_until;
  return stats;
}

}  // namespace postura::collector
