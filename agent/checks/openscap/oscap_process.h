// Runs one OpenSCAP evaluation, `oscap xccdf eval`, as a child process: at the lowest CPU
// priority (nice 19) and in the idle I/O class, so a scan never competes with the host's
// work, and bounded by a timeout after which the child and anything it started are killed.
//
// On a directory other than "/" it evaluates that tree the way `oscap-chroot` does (the
// probes read files under OSCAP_PROBE_ROOT; no chroot, no privileges needed), which is how
// the tests and the quickstart scan fixture roots.
//
// Called by the agent's OpenSCAP source (agent/openscap_source.h). Thread-safe: each call
// has its own child; the caller's signal mask is not passed on to oscap.
#ifndef POSTURA_AGENT_CHECKS_OPENSCAP_OSCAP_PROCESS_H_
#define POSTURA_AGENT_CHECKS_OPENSCAP_OSCAP_PROCESS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace postura::agent::openscap {

struct OscapCommand {
  std::string oscap = "/usr/bin/oscap";
  std::string datastream;  // A SCAP source datastream (or XCCDF benchmark) file.
  std::string profile;     // The XCCDF profile id; required.
  std::string tailoring;   // A tailoring file; empty for none.
  std::string root = "/";  // The tree to evaluate.
  std::string results;     // Where the XCCDF 1.2 results go (`--results`).
  absl::Duration timeout = absl::Minutes(30);
};

// What the run cost and said.
struct OscapRun {
  int exit_code = 0;           // 0: every rule passed; 2: at least one failed.
  absl::Duration elapsed;      // Wall-clock time.
  int64_t peak_rss_bytes = 0;  // The oscap process's own peak resident set.
  absl::Duration cpu_time;     // User plus system time of oscap.
};

// The argument vector run for `command` (without the environment that selects the root).
std::vector<std::string> OscapArguments(const OscapCommand& command);

// Runs the evaluation to its end, or until `stop` (if given) is notified: then oscap is
// killed and the result is Cancelled. Errors: InvalidArgument for a missing profile, datastream
// or results path; NotFound when oscap cannot be run (naming the path and the package
// openscap-scanner); DeadlineExceeded when it outlived the timeout (it was killed, the
// results file must not be trusted); Internal for any exit status other than 0 or 2, or a
// signal, quoting the last lines oscap wrote to standard error.
absl::StatusOr<OscapRun> RunOscap(const OscapCommand& command,
                                  const absl::Notification* stop = nullptr);

}  // namespace postura::agent::openscap

#endif  // POSTURA_AGENT_CHECKS_OPENSCAP_OSCAP_PROCESS_H_
