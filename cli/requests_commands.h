#ifndef POSTURA_CLI_REQUESTS_COMMANDS_H_
#define POSTURA_CLI_REQUESTS_COMMANDS_H_

// Evidence requests from the command line (docs/requests.md): `postura requests
// create|list|show|cancel|renew` and `postura audit`. Answering, reviewing and documents are in
// evidence_commands.h. Each returns an exit status as the other commands do
// (kExitBadInput for a malformed option, with a message naming it).
//
// Threading: run on main's thread.

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/command_context.h"
#include "postura/v1/requests.pb.h"

namespace postura::cli {

struct CreateRequestOptions {
  std::string title;
  std::string area, category, function;  // One of these, or outcomes.
  std::vector<std::string> outcomes;
  std::string asset, department, supplier;       // The scope: one of these.
  std::string owner_department, owner_supplier;  // The owner: one of these.
  std::string due;                               // RFC 3339, or a duration from now.
  std::string validity;                          // Empty: the collector's 365 days.
};

// The wire request for `options`; InvalidArgument naming the option that is wrong.
absl::StatusOr<v1::CreateEvidenceRequestRequest> CreateRequestFrom(
    const CreateRequestOptions& options, absl::Time now);

// One request as text: its header, then a table of its outcomes' states.
std::string RequestText(const v1::EvidenceRequest& request);
// A table of requests, one line each.
std::string RequestListText(const v1::ListEvidenceRequestsResponse& list);
// The audit trail, one line per entry.
std::string AuditText(const v1::ListAuditResponse& audit);

void AddRequestsCommands(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_REQUESTS_COMMANDS_H_
