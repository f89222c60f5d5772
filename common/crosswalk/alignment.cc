#include "common/crosswalk/alignment.h"

#include <algorithm>

namespace postura::crosswalk {
namespace {

// The mapped controls of `from` none of whose outcomes reach a control of `other`.
std::vector<ControlStanding> Unshared(const Crosswalk& from, const Crosswalk& other,
                                      absl::Span<const AssetReadings> assets) {
  std::vector<ControlStanding> unshared;
  for (const Control& control : from.controls()) {
    if (control.outcomes.empty()) continue;
    const bool shares =
        std::any_of(control.outcomes.begin(), control.outcomes.end(),
                    [&](int outcome) { return !other.ControlsOf(outcome).empty(); });
    if (shares) continue;
    unshared.push_back(
        ControlStanding{.control = &control, .standing = StandOutcomes(control.outcomes, assets)});
  }
  return unshared;
}

}  // namespace

Alignment Align(const Crosswalk& a, const Crosswalk& b, absl::Span<const AssetReadings> assets) {
  Alignment alignment;
  alignment.a = a.framework();
  alignment.b = b.framework();
  for (const Control& control : a.controls()) {
    SharedControl shared;
    shared.control = &control;
    std::vector<int> counterparts;  // Positions in b.controls().
    for (int outcome : control.outcomes) {
      const std::vector<int>& in_b = b.ControlsOf(outcome);
      if (in_b.empty()) {
        shared.own_outcomes.push_back(outcome);
        continue;
      }
      shared.shared_outcomes.push_back(outcome);
      counterparts.insert(counterparts.end(), in_b.begin(), in_b.end());
    }
    if (shared.shared_outcomes.empty()) continue;
    std::sort(counterparts.begin(), counterparts.end());
    counterparts.erase(std::unique(counterparts.begin(), counterparts.end()), counterparts.end());
    for (int position : counterparts) shared.counterparts.push_back(&b.controls()[position]);
    shared.shared = StandOutcomes(shared.shared_outcomes, assets);
    alignment.shared.push_back(std::move(shared));
  }
  alignment.only_a = Unshared(a, b, assets);
  alignment.only_b = Unshared(b, a, assets);
  return alignment;
}

}  // namespace postura::crosswalk
