#ifndef POSTURA_CLI_TOKEN_COMMANDS_H_
#define POSTURA_CLI_TOKEN_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/command_context.h"
#include "postura/v1/access.pb.h"

namespace postura::cli {

// Credentials (AccessService): `postura tokens create api|enrollment`, `postura tokens
// list|revoke`, `postura agents revoke` and `postura whoami`. A created token's text is
// printed once (or written to --output, owner-only) and cannot be shown again.
void AddTokenCommands(CLI::App& app, CommandLine& line);

// The table `postura tokens list` prints.
std::string TokensText(const v1::ListTokensResponse& tokens, int64_t now_unix_seconds);

}  // namespace postura::cli

#endif  // POSTURA_CLI_TOKEN_COMMANDS_H_
