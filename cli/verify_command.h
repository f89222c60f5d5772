#ifndef POSTURA_CLI_VERIFY_COMMAND_H_
#define POSTURA_CLI_VERIFY_COMMAND_H_

// `postura evidence verify ASSET|--org [--since T] [--ca FILE] [--save FILE]` and
// `postura evidence verify --proof FILE [--ca FILE]`: proves, on this side of the wire,
// that stored evidence came unchanged from the agents the collector names
// (docs/security.md, "Signed evidence"). The collector only exports an evidence proof
// (QueryService.ExportEvidenceProof); the checking is common/transport/evidence_proof.h,
// here, against the agent CA certificate the caller trusts (--ca; else the proof's own,
// which the output says). A saved proof (--save, JSON) can be checked again later, by
// anyone, without the collector. Exit status: 0 when no item failed (unsigned items are
// reported, not failures), 5 when some did, else as the other commands.
//
// Threading: run on main's thread.

#include <string>

#include "CLI/CLI.hpp"
#include "cli/command_context.h"

namespace postura::cli {

// Some item of the proof failed verification.
inline constexpr int kExitVerificationFailed = 5;

struct VerifyOptions {
  std::string asset_id;
  bool organization = false;
  std::string since;       // RFC 3339 or a duration back from now.
  std::string ca_file;     // PEM of the agent CA to trust.
  std::string save_file;   // Where to keep the exported proof (JSON).
  std::string proof_file;  // Check this saved proof instead of asking the collector.
};

int RunVerify(CommandContext& c, const VerifyOptions& options);

// Adds `verify` under `evidence`. REQUIRES: AddScoreCommands ran first.
void AddVerifyCommand(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_VERIFY_COMMAND_H_
