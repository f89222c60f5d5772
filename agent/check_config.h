#ifndef POSTURA_AGENT_CHECK_CONFIG_H_
#define POSTURA_AGENT_CHECK_CONFIG_H_

// `postura-agent --check-config FILE`: the agent's config file and the check packs it
// names, checked without starting the agent. Called by main.cc; tests call it directly.
// A pure function of the files: any thread.

#include <string>
#include <vector>

#include "common/config/config_check.h"
#include "common/model/catalog.h"

namespace postura::agent {

// Every problem of the config at `path` (each bad key with its line, as the collector's
// check reports them) and, if the config itself is good, of each pack it lists (reported
// at the pack's line in the config, as "packs[i]", with the pack's own error naming its
// check and key). Empty when the agent would start with these files.
std::vector<ConfigProblem> CheckAgentConfigFile(const std::string& path, const Catalog& catalog);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECK_CONFIG_H_
