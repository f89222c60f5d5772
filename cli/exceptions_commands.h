#ifndef POSTURA_CLI_EXCEPTIONS_COMMANDS_H_
#define POSTURA_CLI_EXCEPTIONS_COMMANDS_H_

// Risk exceptions from the command line (docs/requests.md, "Risk exceptions"): `postura
// exceptions create|list|revoke`, over the collector's RiskExceptions service
// (exceptions.proto). Each returns an exit status as the other commands do (kExitBadInput
// for a malformed option, with a message naming it). `postura requests renew` is in
// requests_commands.h.
//
// Threading: run on main's thread.

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/command_context.h"
#include "postura/v1/exceptions.pb.h"

namespace postura::cli {

// An instant given as RFC 3339 or as a duration from `now` ("90d"); InvalidArgument naming
// `flag` otherwise.
absl::StatusOr<absl::Time> ParseFutureInstant(const std::string& flag, const std::string& text,
                                              absl::Time now);

// A table of exceptions, one line each: id, status, asset, outcome, until, approver,
// reason.
std::string ExceptionListText(const v1::ListRiskExceptionsResponse& list);
// One exception as a line saying what it is and until when.
std::string ExceptionText(const v1::RiskException& exception);

void AddExceptionsCommands(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_EXCEPTIONS_COMMANDS_H_
