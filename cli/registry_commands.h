#ifndef POSTURA_CLI_REGISTRY_COMMANDS_H_
#define POSTURA_CLI_REGISTRY_COMMANDS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/command_context.h"
#include "postura/v1/admin.pb.h"

namespace postura::cli {

// The registry commands (AdminService): `postura tenants|departments|assets|deps|agents`.
// Each returns an exit status: kExitOk, kExitBadInput when the collector refused (its
// message on stderr) or the value given is wrong, kExitUnreachable when it cannot be
// reached. Lists print a table (text) or the List response (json); changes print a line
// saying what changed (text) or the request the collector accepted (json).

int RunTenantsList(CommandContext& context);
int RunTenantPut(CommandContext& context, const v1::Tenant& tenant);
int RunTenantDelete(CommandContext& context, const std::string& id);

int RunDepartmentsList(CommandContext& context);
int RunDepartmentPut(CommandContext& context, const v1::Department& department);
int RunDepartmentDelete(CommandContext& context, const std::string& id);

int RunAssetsList(CommandContext& context);
// Creates the asset, or replaces its whole record.
int RunAssetPut(CommandContext& context, const v1::Asset& asset);
int RunAssetDelete(CommandContext& context, const std::string& id);
// Prints the asset's registry record; kExitBadInput if there is no such asset.
int RunAssetShow(CommandContext& context, const std::string& id);

// Adds `dependency_id` to (or removes it from) the asset's dependencies, by reading the
// asset and putting it back (not atomic: a concurrent change to the asset can be lost).
int RunDependencyAdd(CommandContext& context, const std::string& asset_id,
                     const std::string& dependency_id);
int RunDependencyRemove(CommandContext& context, const std::string& asset_id,
                        const std::string& dependency_id);

int RunAgentsList(CommandContext& context);
int RunAgentPut(CommandContext& context, const v1::Agent& agent);
int RunAgentDelete(CommandContext& context, const std::string& id);

// Adds the subcommands above to `app`, selecting into `line`.
void AddRegistryCommands(CLI::App& app, CommandLine& line);

}  // namespace postura::cli

#endif  // POSTURA_CLI_REGISTRY_COMMANDS_H_
