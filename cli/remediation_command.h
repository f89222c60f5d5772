#ifndef POSTURA_CLI_REMEDIATION_COMMAND_H_
#define POSTURA_CLI_REMEDIATION_COMMAND_H_

// `postura remediation [--by outcome|asset|function|supplier] [--since T] [--until T]`:
// how long gaps stay open (the collector's GetRemediation), as a table or JSON; and the
// pieces `postura report` uses for its "Remediation time" section. Instants are RFC 3339
// times or durations back from now ("30d"), parsed by cli/time_text.h; a malformed one
// exits with kExitBadInput and a message naming the option.
//
// Threading: run on main's thread.

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/command_context.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

struct RemediationOptions {
  std::string by = "outcome";
  std::string since, until;  // Empty: the collector's defaults (90 days back from now).
};

// The request the options ask for; `now` anchors durations. InvalidArgument naming the
// option for a malformed instant.
absl::StatusOr<v1::GetRemediationRequest> RemediationRequest(const RemediationOptions& options,
                                                             absl::Time now);

// A duration of remediation in its two largest units: "45s", "12m", "3h 20m", "9d 4h";
// "-" for no duration (no episode).
std::string RemediationDurationText(double seconds, bool any);

// The answer as a table for people, the longest p90 first.
std::string RemediationText(const v1::Remediation& remediation);

int RunRemediation(CommandContext& context, const RemediationOptions& options, absl::Time now);

void AddRemediationCommand(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_REMEDIATION_COMMAND_H_
