// Where two frameworks overlap through Postura's outcomes (ISO/IEC TS 27103's alignment):
// for each control of framework A, the controls of B reached through the same ULEO
// outcomes and how those shared outcomes stand, and the controls of each that share no
// outcome with the other. Used by `postura report --framework A --against B`
// (cli/crosswalk_command.cc). Threading: functions of their arguments only; any thread.
#ifndef POSTURA_COMMON_CROSSWALK_ALIGNMENT_H_
#define POSTURA_COMMON_CROSSWALK_ALIGNMENT_H_

#include <vector>

#include "absl/types/span.h"
#include "common/crosswalk/control_standing.h"
#include "common/crosswalk/crosswalk.h"

namespace postura::crosswalk {

// A control of A and what it shares with B.
struct SharedControl {
  const Control* control = nullptr;          // Of A.
  std::vector<const Control*> counterparts;  // Of B sharing >= 1 outcome, B's id order.
  std::vector<int> shared_outcomes;          // Catalog order.
  std::vector<int> own_outcomes;  // A's outcomes of this control that map to nothing in B.
  Standing shared;                // The shared outcomes' standing over the scope.
};

struct Alignment {
  Framework a = Framework::kCsf20;
  Framework b = Framework::kCsf20;
  std::vector<SharedControl> shared;    // A's controls with a counterpart in B, A's id order.
  std::vector<ControlStanding> only_a;  // A's mapped controls sharing nothing with B.
  std::vector<ControlStanding> only_b;  // B's mapped controls sharing nothing with A.
};

// A against B over `assets`. Both crosswalks must use the same catalog.
Alignment Align(const Crosswalk& a, const Crosswalk& b, absl::Span<const AssetReadings> assets);

}  // namespace postura::crosswalk

#endif  // POSTURA_COMMON_CROSSWALK_ALIGNMENT_H_
