// What `postura-agent scan` prints (docs/scan.md): per check (native pack checks and
// OpenSCAP rules alike) and per outcome, as text or as the stable JSON layout
//   {"checks":[{"id","source","verdict","outcomes","detail"}],
//    "outcomes":[{"outcome","level","state","checks"}],
//    "sources":[{"source","file","rules","unmapped_rules","notice"}]}
//
// Built by scan_command.cc from the runner's results and xccdf_evidence.h. Plain values
// and pure functions: thread-safe.
#ifndef POSTURA_AGENT_SCAN_REPORT_H_
#define POSTURA_AGENT_SCAN_REPORT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/checks/check_runner.h"
#include "agent/checks/openscap/xccdf_evidence.h"
#include "agent/checks/rules/rule.h"
#include "common/model/catalog.h"
#include "common/model/implementation_group.h"
#include "common/model/level.h"

namespace postura::agent {

struct ScanCheck {
  std::string id;
  std::string source;  // "pack:<name>" or "openscap:<profile>".
  Verdict verdict = Verdict::kError;
  std::vector<std::string> outcomes;
  std::string detail;
};

// One outcome's level over every source that fed it: the minimum, as the collector takes
// (docs/metrics.md); not evaluated when no source gave a level.
struct ScanOutcome {
  std::string outcome;
  std::optional<Level> level;
  std::vector<std::string> checks;  // The checks and rules that fed it.
  std::string openscap_detail;      // The failing rules, as evidence detail (text only).
};

// One XCCDF results file.
struct ScanSource {
  std::string source;
  std::string file;
  int rules = 0;  // Rule results other than notselected.
  std::vector<std::string> unmapped_rules;
  std::string notice;
};

struct ScanReport {
  std::vector<ScanCheck> checks;
  std::vector<ScanOutcome> outcomes;  // Sorted by outcome id.
  std::vector<ScanSource> sources;
};

// Collects results into a report. Outcomes outside `group` (catalog min_ig above it) are
// left out of `outcomes` when a group is given. Details are cut to `max_detail_bytes`.
class ScanReportBuilder {
 public:
  ScanReportBuilder(const Catalog& catalog, std::optional<ImplementationGroup> group,
                    std::size_t max_detail_bytes);

  void AddPackResults(const std::string& pack_name, const std::vector<CheckResult>& results);
  void AddXccdf(const std::string& file, const openscap::XccdfEvidence& evidence);
  ScanReport Build() const;

 private:
  struct Feed {
    std::optional<Level> level;
    std::vector<std::string> checks;
    std::string openscap_detail;
  };
  void FeedOutcome(const std::string& outcome, std::optional<Level> level,
                   const std::string& check);

  const Catalog& catalog_;
  const std::optional<ImplementationGroup> group_;
  const std::size_t max_detail_bytes_;
  ScanReport report_;
  std::map<std::string, Feed> feeds_;  // Outcome -> what fed it.
};

// The JSON layout above, two-space indented, with a final newline.
std::string ScanReportJson(const ScanReport& report);

// A readable summary: one line per check and per outcome, then each source's notes.
std::string ScanReportText(const ScanReport& report);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_SCAN_REPORT_H_
