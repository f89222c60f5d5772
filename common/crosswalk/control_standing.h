// How a framework's controls stand, derived from the levels of the ULEO outcomes mapped to
// them (the rule is in docs/metrics.md, "Framework crosswalks"): per control its mapped
// outcomes with their levels and evidence, the lowest level among the evaluated ones, the
// coverage, and the controls nothing maps to. Pure computation over readings the caller
// gathers (the CLI reads them from the collector: cli/crosswalk_command.cc).
// Threading: functions of their arguments only; any thread.
#ifndef POSTURA_COMMON_CROSSWALK_CONTROL_STANDING_H_
#define POSTURA_COMMON_CROSSWALK_CONTROL_STANDING_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/crosswalk/crosswalk.h"
#include "common/model/level.h"

namespace postura::crosswalk {

// Where an outcome's level comes from on one asset.
enum class EvidenceState {
  kNotApplicable,  // The outcome does not apply to the asset's implementation group.
  kLive,           // Live evidence decides the level: the outcome is evaluated.
  kStale,          // All its evidence expired (scored as level 0, not evaluated).
  kNoEvidence,     // Never reported (scored as level 0, not evaluated).
};

// "not applicable", "live", "stale", "no evidence".
absl::string_view EvidenceStateName(EvidenceState state);

// One outcome of one asset, as the collector scores it.
struct OutcomeReading {
  EvidenceState state = EvidenceState::kNotApplicable;
  Level level = Level::kDli0;  // Meaningful when live.
  bool attested = false;       // The deciding evidence was attested, not observed.
};

// One asset's readings, by catalog outcome position (size: the catalog's outcome count).
struct AssetReadings {
  std::string asset_id;
  std::vector<OutcomeReading> outcomes;
};

// A control's derived status.
enum class ControlStatus {
  kNotApplicable,   // No mapped outcome applies to any asset in scope.
  kNoEvidence,      // Mapped outcomes apply, none is evaluated.
  kNotImplemented,  // Lowest evaluated level 0.
  kPartially,       // Lowest evaluated level 0.33.
  kLargely,         // Lowest evaluated level 0.67.
  kImplemented,     // Every evaluated mapped outcome at 1.
};

// "not applicable", "no evidence", "not implemented", "partially", "largely", "implemented".
absl::string_view ControlStatusName(ControlStatus status);

// One mapped outcome over the assets in scope.
struct OutcomeStanding {
  int outcome = 0;              // Catalog position.
  int applicable = 0;           // Assets it applies to.
  int evaluated = 0;            // Of those, the ones with live evidence.
  int attested = 0;             // Of those, the ones whose deciding evidence is attested.
  int stale = 0;                // Applicable, evidence expired.
  std::optional<Level> lowest;  // Lowest live level; nullopt when none is evaluated.
  std::string lowest_asset;     // The first asset (in reading order) at that level.
};

// How several outcomes stand together (a control's, or the outcomes two controls share).
struct Standing {
  std::vector<OutcomeStanding> outcomes;  // Catalog order.
  int applicable = 0;                     // Applicable (asset, outcome) pairs.
  int evaluated = 0;                      // Of those, the evaluated ones.
  std::optional<Level> level;             // Lowest level among evaluated pairs.
  std::string weakest_asset;              // An asset holding that level.
  ControlStatus status = ControlStatus::kNotApplicable;
  // evaluated / applicable; 0 when nothing applies. Below 1, `level` is an upper bound:
  // an unevaluated outcome might be lower.
  double coverage() const;
  bool complete() const { return applicable > 0 && evaluated == applicable; }
};

// The standing of `outcomes` (catalog positions) over `assets`.
Standing StandOutcomes(absl::Span<const int> outcomes, absl::Span<const AssetReadings> assets);

struct ControlStanding {
  const Control* control = nullptr;  // Borrowed from the crosswalk.
  Standing standing;
};

// A framework's controls over a scope of assets.
struct FrameworkStanding {
  Framework framework = Framework::kCsf20;
  std::vector<ControlStanding> mapped;   // Controls with >= 1 mapped outcome, id order.
  std::vector<const Control*> unmapped;  // Known controls no outcome maps to.
  // Catalog outcomes that map to no control of the framework (e.g. the CIS-safeguard
  // outcomes under the shipped files): their evidence does not reach this framework.
  std::vector<int> outcomes_not_mapped;
  int known_controls() const { return static_cast<int>(mapped.size() + unmapped.size()); }
};

// Every control of `crosswalk` over `assets`. The readings must be sized for the
// crosswalk's catalog.
FrameworkStanding StandFramework(const Crosswalk& crosswalk,
                                 absl::Span<const AssetReadings> assets);

}  // namespace postura::crosswalk

#endif  // POSTURA_COMMON_CROSSWALK_CONTROL_STANDING_H_
