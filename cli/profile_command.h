// `postura profile ASSET|--org [--format md|json] [-o FILE]`: the current -> target ->
// gap -> roadmap profile of an asset or of every asset the caller may see, computed by the
// collector (Profiles.GetProfile, postura/v1/profile.proto) and shown as Markdown
// (cli/profile_text.h) or as the message's JSON. Registered by cli/main.cc.
// Threading: runs on the CLI's one thread.
#ifndef POSTURA_CLI_PROFILE_COMMAND_H_
#define POSTURA_CLI_PROFILE_COMMAND_H_

#include <string>

#include "CLI/CLI.hpp"
#include "cli/command_context.h"

namespace postura::cli {

struct ProfileOptions {
  std::string asset;  // Empty with --org.
  bool organization = false;
  std::string format = "markdown";  // "markdown", "md" or "json".
  std::string output;               // Empty: standard output.
};

// 0; 1 for neither or both of ASSET and --org, an asset the collector does not know (or
// the caller may not see) or an unwritable -o file; 4 for an unreachable collector.
int RunProfile(CommandContext& c, const ProfileOptions& options);

void AddProfileCommand(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_PROFILE_COMMAND_H_
