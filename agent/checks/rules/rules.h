#ifndef POSTURA_AGENT_CHECKS_RULES_RULES_H_
#define POSTURA_AGENT_CHECKS_RULES_RULES_H_

#include <filesystem>

#include "absl/time/time.h"
#include "agent/checks/rules/rule.h"

namespace postura::agent {

// One evaluator per rule type: a function of the rule and the root directory under which
// every host path is read ("/" on a real host, a fixture tree in tests). Each returns
// pass, fail, not_applicable or error with a short detail, and never throws. A file that
// cannot be read (other than one whose absence the rule allows for) is an error, never a
// fail. Thread-safe: evaluators keep no state.

RuleResult EvaluateFile(const FileRule& rule, const std::filesystem::path& root);
RuleResult EvaluateFileContent(const FileContentRule& rule, const std::filesystem::path& root);
RuleResult EvaluateKeyValue(const KeyValueRule& rule, const std::filesystem::path& root);
RuleResult EvaluateSysctl(const SysctlRule& rule, const std::filesystem::path& root);
RuleResult EvaluateProcess(const ProcessRule& rule, const std::filesystem::path& root);
RuleResult EvaluateSystemdUnit(const SystemdUnitRule& rule, const std::filesystem::path& root);
RuleResult EvaluatePackage(const PackageRule& rule, const std::filesystem::path& root);
RuleResult EvaluateListening(const ListeningRule& rule, const std::filesystem::path& root);
RuleResult EvaluateAccounts(const AccountsRule& rule, const std::filesystem::path& root);
RuleResult EvaluateMount(const MountRule& rule, const std::filesystem::path& root);
RuleResult EvaluateEncryptedDevice(const EncryptedDeviceRule& rule,
                                   const std::filesystem::path& root);

// Runs the program on the live host (not under any root), killing it and its process group
// after min(rule.timeout, `timeout`): then the result is an error "timed out after X".
RuleResult EvaluateCommand(const CommandRule& rule, absl::Duration timeout);

// Dispatches on the rule's type. `timeout` bounds a command rule.
RuleResult EvaluateRule(const Rule& rule, const std::filesystem::path& root,
                        absl::Duration timeout);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECKS_RULES_RULES_H_
