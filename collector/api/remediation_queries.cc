#include "collector/api/remediation_queries.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "collector/api/time_wire.h"
#include "collector/history/duration_quantiles.h"
#include "collector/history/gap_log.h"

namespace postura::collector {
namespace {

enum class Grouping { kOutcome, kAsset, kFunction, kSupplier };

absl::StatusOr<Grouping> ParseGrouping(const std::string& by) {
  if (by.empty() || by == "outcome") return Grouping::kOutcome;
  if (by == "asset") return Grouping::kAsset;
  if (by == "function") return Grouping::kFunction;
  if (by == "supplier") return Grouping::kSupplier;
  return absl::InvalidArgumentError(absl::StrCat(
      "by must be outcome, asset, function or supplier, not '", by.substr(0, 40), "'"));
}

struct Window {
  absl::Time since;
  absl::Time until;
};

absl::StatusOr<Window> WindowOf(const v1::GetRemediationRequest& request, absl::Time now) {
  if (request.since_unix_nanos() < 0 || request.until_unix_nanos() < 0) {
    return absl::InvalidArgumentError("since and until must be times after 1970");
  }
  Window window;
  window.until =
      request.until_unix_nanos() == 0 ? now : absl::FromUnixNanos(request.until_unix_nanos());
  if (window.until > now) {
    return absl::InvalidArgumentError(absl::StrCat("until ", TimeText(window.until),
                                                   " is in the future (the collector's time is ",
                                                   TimeText(now), ")"));
  }
  window.since = request.since_unix_nanos() == 0
                     ? std::max(absl::UnixEpoch(), window.until - kDefaultRemediationWindow)
                     : absl::FromUnixNanos(request.since_unix_nanos());
  if (window.since > window.until) {
    return absl::InvalidArgumentError(
        absl::StrCat("since ", TimeText(window.since), " is after until ", TimeText(window.until)));
  }
  return window;
}

// What the registry says of an asset now.
struct AssetFacts {
  std::string name;
  std::string supplier_id;
};

// One group's episodes as they are read.
struct Tally {
  std::vector<absl::Duration> closed;
  int64_t open = 0;
  std::optional<absl::Time> oldest_open;

  void AddOpen(absl::Time opened) {
    ++open;
    if (!oldest_open || opened < *oldest_open) oldest_open = opened;
  }
};

v1::RemediationGroup Figures(Tally tally, absl::Time now) {
  v1::RemediationGroup group;
  const int64_t closed = static_cast<int64_t>(tally.closed.size());
  DurationSummary summary = Summarize(std::move(tally.closed));
  group.set_closed(static_cast<uint32_t>(closed));
  group.set_median_seconds(absl::ToDoubleSeconds(summary.median));
  group.set_p90_seconds(absl::ToDoubleSeconds(summary.p90));
  group.set_open(static_cast<uint32_t>(tally.open));
  if (tally.oldest_open) {
    group.set_oldest_open_seconds(
        absl::ToDoubleSeconds(std::max(absl::ZeroDuration(), now - *tally.oldest_open)));
  }
  return group;
}

// Groups the episodes and names the groups.
class Grouper {
 public:
  Grouper(const Catalog& catalog, const Registry& registry, Grouping grouping,
          const Principal* principal)
      : catalog_(catalog), registry_(registry), grouping_(grouping), principal_(principal) {
    for (const v1::Asset& asset : registry.ListAssets()) {
      if (principal != nullptr && !MaySee(*principal, asset)) continue;
      assets_[asset.id()] = AssetFacts{asset.name(), asset.supplier_id()};
    }
  }

  // The group's tally, or null if the principal may not see the episode's asset.
  Tally* TallyOf(const GapEpisode& episode) {
    auto asset = assets_.find(episode.asset_id);
    if (asset == assets_.end() && principal_ != nullptr && !principal_->SeesAllTenants()) {
      return nullptr;  // Another tenant's, or deleted.
    }
    const AssetFacts* facts = asset == assets_.end() ? nullptr : &asset->second;
    return &groups_[KeyOf(episode, facts)];
  }

  Tally& total() { return total_; }

  void Answer(absl::Time now, v1::Remediation& answer) {
    std::vector<v1::RemediationGroup> groups;
    for (auto& [key, tally] : groups_) {
      v1::RemediationGroup& group = groups.emplace_back(Figures(std::move(tally), now));
      group.set_key(key);
      group.set_name(NameOf(key));
    }
    std::sort(groups.begin(), groups.end(),
              [](const v1::RemediationGroup& a, const v1::RemediationGroup& b) {
                if (a.p90_seconds() != b.p90_seconds()) return a.p90_seconds() > b.p90_seconds();
                if (a.oldest_open_seconds() != b.oldest_open_seconds()) {
                  return a.oldest_open_seconds() > b.oldest_open_seconds();
                }
                return a.key() < b.key();
              });
    for (v1::RemediationGroup& group : groups) *answer.add_groups() = std::move(group);
    *answer.mutable_total() = Figures(std::move(total_), now);
  }

 private:
  std::string KeyOf(const GapEpisode& episode, const AssetFacts* facts) const {
    switch (grouping_) {
      case Grouping::kOutcome:
        return episode.outcome_id;
      case Grouping::kAsset:
        return episode.asset_id;
      case Grouping::kFunction: {
        std::optional<int> outcome = catalog_.FindOutcome(episode.outcome_id);
        if (!outcome) return "";
        const int area = catalog_.outcomes()[*outcome].functional_area;
        return catalog_.functional_areas()[area].id;
      }
      case Grouping::kSupplier:
        return facts == nullptr ? "" : facts->supplier_id;
    }
    return "";
  }

  std::string NameOf(const std::string& key) const {
    switch (grouping_) {
      case Grouping::kOutcome:
        if (std::optional<int> outcome = catalog_.FindOutcome(key)) {
          return catalog_.outcomes()[*outcome].title;
        }
        return "";
      case Grouping::kAsset:
        if (auto asset = assets_.find(key); asset != assets_.end()) return asset->second.name;
        return "";
      case Grouping::kFunction:
        for (const FunctionalArea& area : catalog_.functional_areas()) {
          if (area.id == key) return area.name;
        }
        return "";
      case Grouping::kSupplier:
        if (key.empty()) return "";
        if (std::optional<v1::Tenant> tenant = registry_.FindTenant(key)) return tenant->name();
        return "";
    }
    return "";
  }

  const Catalog& catalog_;
  const Registry& registry_;
  const Grouping grouping_;
  const Principal* const principal_;
  absl::flat_hash_map<std::string, AssetFacts> assets_;  // Those the principal may see.
  absl::flat_hash_map<std::string, Tally> groups_;       // Sorted once, in Answer.
  Tally total_;
};

}  // namespace

absl::StatusOr<v1::Remediation> RemediationQueries::GetRemediation(
    const v1::GetRemediationRequest& request) const {
  return Compute(request, nullptr);
}

absl::StatusOr<v1::Remediation> RemediationQueries::GetRemediation(
    const Principal& principal, const v1::GetRemediationRequest& request) const {
  return Compute(request, &principal);
}

absl::StatusOr<v1::Remediation> RemediationQueries::Compute(
    const v1::GetRemediationRequest& request, const Principal* principal) const {
  absl::StatusOr<Grouping> grouping = ParseGrouping(request.by());
  if (!grouping.ok()) return grouping.status();
  const absl::Time now = sources_.clock->TimeNow();
  absl::StatusOr<Window> window = WindowOf(request, now);
  if (!window.ok()) return window.status();

  Grouper grouper(*sources_.catalog, *sources_.registry, *grouping, principal);
  absl::Status closed = ForEachClosedGap(
      *sources_.store, absl::ToUnixNanos(window->since), absl::ToUnixNanos(window->until),
      [&](const GapEpisode& episode) {
        Tally* tally = grouper.TallyOf(episode);
        if (tally == nullptr) return;
        const absl::Duration duration =
            absl::Nanoseconds(episode.closed_unix_nanos - episode.opened_unix_nanos);
        tally->closed.push_back(duration);
        grouper.total().closed.push_back(duration);
      });
  if (!closed.ok()) return closed;
  absl::Status open = ForEachOpenGap(*sources_.store, [&](const GapEpisode& episode) {
    Tally* tally = grouper.TallyOf(episode);
    if (tally == nullptr) return true;
    const absl::Time opened = absl::FromUnixNanos(episode.opened_unix_nanos);
    tally->AddOpen(opened);
    grouper.total().AddOpen(opened);
    return true;
  });
  if (!open.ok()) return open;

  v1::Remediation answer;
  *answer.mutable_since() = Timestamp(window->since);
  *answer.mutable_until() = Timestamp(window->until);
  answer.set_by(request.by().empty() ? "outcome" : request.by());
  grouper.Answer(now, answer);
  return answer;
}

}  // namespace postura::collector
