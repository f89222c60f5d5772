// The evidence items an OpenSCAP evaluation gives the collector: one per bound asset and
// levelled outcome, kind observed, check id naming OpenSCAP and the profile, detail the
// failing rules (docs/scan.md, docs/metrics.md). What the agent's OpenSCAP source (not yet
// built: a scheduled `oscap` run, a drop directory) will spool; `scan` prints the same.
//
// Pure function: thread-safe.
#ifndef POSTURA_AGENT_OPENSCAP_EVIDENCE_H_
#define POSTURA_AGENT_OPENSCAP_EVIDENCE_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agent/checks/openscap/xccdf_evidence.h"
#include "postura/v1/evidence.pb.h"

namespace postura::agent {

// Items for every asset and every outcome with a level, observed at `observed_at` and
// expiring `valid_for` later. Outcomes not evaluated give none, as a check in error does:
// the outcome keeps its other sources. Details are cut to 1024 bytes.
std::vector<v1::Evidence> EvidenceFromOpenscap(const openscap::XccdfEvidence& evidence,
                                               const std::vector<std::string>& assets,
                                               absl::Time observed_at, absl::Duration valid_for);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_OPENSCAP_EVIDENCE_H_
