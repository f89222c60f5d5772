#include <type_traits>

#include "agent/checks/rules/rules.h"

namespace postura::agent {

RuleResult EvaluateRule(const Rule& rule, const std::filesystem::path& root,
                        absl::Duration timeout) {
  return std::visit(
      [&](const auto& r) -> RuleResult {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, FileRule>) return EvaluateFile(r, root);
        if constexpr (std::is_same_v<T, FileContentRule>) return EvaluateFileContent(r, root);
        if constexpr (std::is_same_v<T, KeyValueRule>) return EvaluateKeyValue(r, root);
        if constexpr (std::is_same_v<T, SysctlRule>) return EvaluateSysctl(r, root);
        if constexpr (std::is_same_v<T, ProcessRule>) return EvaluateProcess(r, root);
        if constexpr (std::is_same_v<T, SystemdUnitRule>) return EvaluateSystemdUnit(r, root);
        if constexpr (std::is_same_v<T, PackageRule>) return EvaluatePackage(r, root);
        if constexpr (std::is_same_v<T, ListeningRule>) return EvaluateListening(r, root);
        if constexpr (std::is_same_v<T, AccountsRule>) return EvaluateAccounts(r, root);
        if constexpr (std::is_same_v<T, MountRule>) return EvaluateMount(r, root);
        if constexpr (std::is_same_v<T, EncryptedDeviceRule>) {
          return EvaluateEncryptedDevice(r, root);
        }
        if constexpr (std::is_same_v<T, CommandRule>) return EvaluateCommand(r, timeout);
      },
      rule);
}

}  // namespace postura::agent
