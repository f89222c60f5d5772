#include "common/crosswalk/control_standing.h"

namespace postura::crosswalk {

absl::string_view EvidenceStateName(EvidenceState state) {
  switch (state) {
    case EvidenceState::kNotApplicable:
      return "not applicable";
    case EvidenceState::kLive:
      return "live";
    case EvidenceState::kStale:
      return "stale";
    case EvidenceState::kNoEvidence:
      return "no evidence";
  }
  return "";
}

absl::string_view ControlStatusName(ControlStatus status) {
  switch (status) {
    case ControlStatus::kNotApplicable:
      return "not applicable";
    case ControlStatus::kNoEvidence:
      return "no evidence";
    case ControlStatus::kNotImplemented:
      return "not implemented";
    case ControlStatus::kPartially:
      return "partially";
    case ControlStatus::kLargely:
      return "largely";
    case ControlStatus::kImplemented:
      return "implemented";
  }
  return "";
}

double Standing::coverage() const {
  return applicable == 0 ? 0 : static_cast<double>(evaluated) / applicable;
}

namespace {

ControlStatus StatusOf(const Standing& standing) {
  if (standing.applicable == 0) return ControlStatus::kNotApplicable;
  if (!standing.level) return ControlStatus::kNoEvidence;
  switch (*standing.level) {
    case Level::kDli0:
      return ControlStatus::kNotImplemented;
    case Level::kDli33:
      return ControlStatus::kPartially;
    case Level::kDli67:
      return ControlStatus::kLargely;
    case Level::kDli100:
      return ControlStatus::kImplemented;
  }
  return ControlStatus::kNoEvidence;
}

OutcomeStanding StandOutcome(int outcome, absl::Span<const AssetReadings> assets) {
  OutcomeStanding standing;
  standing.outcome = outcome;
  for (const AssetReadings& asset : assets) {
    const OutcomeReading& reading = asset.outcomes[outcome];
    if (reading.state == EvidenceState::kNotApplicable) continue;
    ++standing.applicable;
    if (reading.state == EvidenceState::kStale) ++standing.stale;
    if (reading.state != EvidenceState::kLive) continue;
    ++standing.evaluated;
    if (reading.attested) ++standing.attested;
    if (!standing.lowest || reading.level < *standing.lowest) {
      standing.lowest = reading.level;
      standing.lowest_asset = asset.asset_id;
    }
  }
  return standing;
}

}  // namespace

Standing StandOutcomes(absl::Span<const int> outcomes, absl::Span<const AssetReadings> assets) {
  Standing standing;
  for (int outcome : outcomes) {
    OutcomeStanding one = StandOutcome(outcome, assets);
    standing.applicable += one.applicable;
    standing.evaluated += one.evaluated;
    if (one.lowest && (!standing.level || *one.lowest < *standing.level)) {
      standing.level = one.lowest;
      standing.weakest_asset = one.lowest_asset;
    }
    standing.outcomes.push_back(std::move(one));
  }
  standing.status = StatusOf(standing);
  return standing;
}

FrameworkStanding StandFramework(const Crosswalk& crosswalk,
                                 absl::Span<const AssetReadings> assets) {
  FrameworkStanding result;
  result.framework = crosswalk.framework();
  for (const Control& control : crosswalk.controls()) {
    if (control.outcomes.empty()) {
      result.unmapped.push_back(&control);
      continue;
    }
    result.mapped.push_back(
        ControlStanding{.control = &control, .standing = StandOutcomes(control.outcomes, assets)});
  }
  const int outcome_count = static_cast<int>(crosswalk.catalog().outcomes().size());
  for (int outcome = 0; outcome < outcome_count; ++outcome) {
    if (crosswalk.ControlsOf(outcome).empty()) result.outcomes_not_mapped.push_back(outcome);
  }
  return result;
}

}  // namespace postura::crosswalk
