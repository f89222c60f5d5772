// Fuzzes the readers of a service's effective configuration (agent/checks/rules/
// effective_config.h) on a small host tree. An input is up to six files separated by NUL
// bytes: etc/ssh/sshd_config, etc/ssh/sshd_config.d/10.conf, etc/pam.d/passwd,
// etc/pam.d/common-password, etc/sysctl.d/60.conf and etc/systemd/journald.conf.d/60.conf,
// so includes between them (and loops) are reachable. Invariants: the readers return
// lines that are non-empty and come from files inside the tree, or an error with a
// message; a value found is one of those lines' text.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "agent/checks/rules/effective_config.h"
#include "agent/checks/rules/host_root.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;

const char* const kFiles[] = {"etc/ssh/sshd_config",  "etc/ssh/sshd_config.d/10.conf",
                              "etc/pam.d/passwd",     "etc/pam.d/common-password",
                              "etc/sysctl.d/60.conf", "etc/systemd/journald.conf.d/60.conf"};

// One tree per process, rewritten for every input and removed at exit.
class Tree {
 public:
  Tree() {
    std::string pattern = (fs::temp_directory_path() / "effective-config-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~Tree() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

const fs::path& Root() {
  static Tree tree;
  return tree.path();
}

void WriteTree(absl::string_view input) {
  std::vector<absl::string_view> parts = absl::StrSplit(input, absl::MaxSplits('\0', 5));
  for (size_t i = 0; i < std::size(kFiles); ++i) {
    fs::path file = Root() / kFiles[i];
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (i < parts.size()) out << parts[i];
  }
}

void CheckLines(const absl::StatusOr<std::vector<ConfigLine>>& lines, ConfigSyntax syntax) {
  if (!lines.ok()) {
    if (lines.status().message().empty()) __builtin_trap();
    return;
  }
  for (const ConfigLine& line : *lines) {
    if (line.text.empty() || line.file.empty() || line.file[0] != '/') __builtin_trap();
  }
  std::optional<ConfigValue> value = FindConfigValue(*lines, "PermitRootLogin", 0, syntax, true);
  if (value && value->file.empty()) __builtin_trap();
}

void FuzzEffectiveConfig(absl::string_view input) {
  WriteTree(input);
  HostRoot host(Root());
  CheckLines(ReadEffectiveConfig(host, "/etc/ssh/sshd_config", ConfigSyntax::kSshd),
             ConfigSyntax::kSshd);
  CheckLines(ReadEffectiveConfig(host, "/etc/pam.d/passwd", ConfigSyntax::kPam),
             ConfigSyntax::kPam);
  CheckLines(ReadEffectiveConfig(host, "/etc/systemd/journald.conf", ConfigSyntax::kSystemd),
             ConfigSyntax::kSystemd);
  absl::StatusOr<std::optional<ConfigValue>> sysctl = ConfiguredSysctl(host, "net.ipv4.ip_forward");
  if (!sysctl.ok() && sysctl.status().message().empty()) __builtin_trap();
}

}  // namespace
}  // namespace postura::agent

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  postura::agent::FuzzEffectiveConfig(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
