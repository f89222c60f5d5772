// The agent's OpenSCAP evidence: scheduled `oscap xccdf eval` runs (oscap_process.h) and
// results files dropped into watched directories by a central scanner, each read, mapped
// to outcomes, levelled (xccdf_evidence.h) and spooled as evidence for the agent's assets
// (openscap_evidence.h). docs/openscap.md describes it for operators.
//
// Scheduled runs: each source runs at start and then every `interval`. Its results go to
// SPOOL/openscap/SOURCE.xml.part and are renamed to SOURCE.xml once their evidence is
// spooled, so the file's time is the last run that counted; a restart waits out the rest
// of the interval instead of scanning again. Evidence expires after evidence_ttl_intervals
// intervals. An evaluation in which every rule came back notapplicable (content for
// another platform) is logged as such and counted; it gives no evidence.
//
// Drop directories: every regular file named *.xml that has not changed for
// kDropQuietPeriod is imported. Its evidence is observed at the TestResult's end-time
// (else the file's time) and counts for `valid_for`. An imported file is deleted; a file
// that cannot be read is moved to rejected/ beside a FILE.error that says why, and nothing
// from it is spooled. Write files elsewhere and move them in, or let them sit 5 s.
//
// Threading: RunDue is called by one thread at a time (the source's own thread once Start
// is called, or a test). The spool is thread-safe; `notify` is called on this thread.
#ifndef POSTURA_AGENT_OPENSCAP_SOURCE_H_
#define POSTURA_AGENT_OPENSCAP_SOURCE_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent/checks/openscap/rule_mapping.h"
#include "agent/config/agent_config.h"
#include "agent/delivery/spool.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"

namespace postura::agent {

inline constexpr absl::Duration kDropQuietPeriod = absl::Seconds(5);

// What one RunDue pass did, for logs and tests.
struct OpenscapPass {
  int evaluations = 0;         // oscap runs that produced results.
  int failed_evaluations = 0;  // oscap runs that failed, timed out or gave unreadable results.
  int all_not_applicable = 0;  // Runs and files in which no rule applied.
  int imported_files = 0;      // Dropped files imported.
  int rejected_files = 0;      // Dropped files moved to rejected/.
  int spooled_items = 0;       // Evidence items spooled.
};

class OpenscapSource {
 public:
  // Loads the rule mapping (built-in plus options.openscap_mappings) and prepares
  // SPOOL/openscap. InvalidArgument for a bad mapping file, naming it and the line.
  // `spool` and `clock` must outlive the source; `notify` wakes the uploader.
  static absl::StatusOr<std::unique_ptr<OpenscapSource>> Create(const AgentOptions& options,
                                                                const Catalog& catalog,
                                                                Spool& spool, Clock& clock,
                                                                std::function<void()> notify);
  ~OpenscapSource();  // Stops the thread, killing a running oscap.

  // Runs every scheduled source that is due and imports what the drop directories hold.
  OpenscapPass RunDue();

  // Calls RunDue every `period` on a thread of its own until destroyed.
  void Start(absl::Duration period = absl::Seconds(5));

 private:
  OpenscapSource(const AgentOptions& options, openscap::RuleMapping mapping, Spool& spool,
                 Clock& clock, std::function<void()> notify);

  void RunSource(std::size_t index, OpenscapPass& pass);
  void ImportDropDirectory(const XccdfDropOptions& drop, OpenscapPass& pass);
  void ImportDroppedFile(const XccdfDropOptions& drop, const std::string& path, OpenscapPass& pass);
  // Spools the evidence of one evaluation; false (logged) if the spool refused it.
  bool SpoolEvidence(const std::string& origin, const openscap::XccdfResults& results,
                     const std::vector<std::string>& assets, absl::Time observed_at,
                     absl::Duration valid_for, OpenscapPass& pass);
  std::string ResultsPath(std::size_t index) const;

  const AgentOptions options_;
  const openscap::RuleMapping mapping_;
  Spool& spool_;
  Clock& clock_;
  const std::function<void()> notify_;
  std::vector<absl::Time> next_due_;  // Per scheduled source.
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace postura::agent

#endif  // POSTURA_AGENT_OPENSCAP_SOURCE_H_
