#ifndef POSTURA_CLI_EVIDENCE_COMMANDS_H_
#define POSTURA_CLI_EVIDENCE_COMMANDS_H_

// Answering and reviewing evidence requests, and fetching their documents
// (docs/requests.md): `postura evidence submit|review` and `postura documents get`. A
// submission streams each attached file to the collector in 256 KiB pieces; a download
// streams to a temporary file beside the target, checks its SHA-256 against the one asked
// for, then renames it into place. Exit statuses as the other commands.
//
// Threading: run on main's thread.

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "cli/command_context.h"
#include "postura/v1/evidence.pb.h"

namespace postura::cli {

// "0", "0.33", "0.67" or "1" (also "33", "67", "100"); InvalidArgument naming --level.
absl::StatusOr<v1::Level> ParseLevelOption(const std::string& text);

struct SubmitOptions {
  std::string request_id;
  std::string outcome_id;
  std::string level;
  std::string statement;
  std::vector<std::string> attachments;  // File paths.
};
int RunSubmit(CommandContext& context, const SubmitOptions& options);

struct ReviewOptions {
  std::string request_id;
  std::string outcome_id;
  bool approve = false;
  bool reject = false;
  std::string comment;
};
int RunReview(CommandContext& context, const ReviewOptions& options);

// `postura documents get SHA256 -o FILE`.
int RunDocumentGet(CommandContext& context, const std::string& sha256, const std::string& output);

// REQUIRES: AddScoreCommands ran first (it adds `evidence`, which these join).
void AddEvidenceCommands(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_EVIDENCE_COMMANDS_H_
