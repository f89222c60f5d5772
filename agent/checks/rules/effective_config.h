#ifndef POSTURA_AGENT_CHECKS_RULES_EFFECTIVE_CONFIG_H_
#define POSTURA_AGENT_CHECKS_RULES_EFFECTIVE_CONFIG_H_

// The configuration a service really uses, assembled from its main file and the files that
// file pulls in, the way the service itself reads them: sshd's Include, PAM's @include,
// include and substack, systemd's drop-in directories and the sysctl.d search path. The
// key_value, file_content and sysctl evaluators (file_rules.cc, system_rules.cc) call it.
//
// Every read goes through HostRoot, so it stays inside the checked tree. Hostile input is
// bounded: includes nest at most kMaxIncludeDepth deep (an include loop ends there with an
// error), at most kMaxConfigFiles files and kMaxHostFileBytes bytes in total are read, at
// most 4 * kMaxConfigFiles Include patterns are expanded, and binary junk is read as text
// lines that match nothing. Errors name the file.
//
// Thread-safe: pure functions of the tree.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/checks/rules/host_root.h"
#include "agent/checks/rules/rule.h"

namespace postura::agent {

// How deep includes may nest: sshd's own limit (SERVCONF_MAX_DEPTH), also used for PAM.
inline constexpr int kMaxIncludeDepth = 16;
// How many files one effective configuration may be assembled from.
inline constexpr int kMaxConfigFiles = 256;

// "plain", "sshd", "pam" or "systemd".
absl::string_view ConfigSyntaxName(ConfigSyntax syntax);

// One line of an assembled configuration and the file it came from.
struct ConfigLine {
  std::string file;  // Path inside the root, e.g. "/etc/ssh/sshd_config.d/50-cloud.conf".
  std::string text;  // The line, comment and surrounding blanks removed; never empty.
};

// The lines of the configuration rooted at `path`, in the order the program reads them.
// Include directives themselves are not among the lines. NotFound if `path` (and, for
// systemd, every drop-in) does not exist; FailedPrecondition for nesting too deep, too
// many files or too many bytes; other HostRoot errors for unreadable files.
absl::StatusOr<std::vector<ConfigLine>> ReadEffectiveConfig(const HostRoot& host,
                                                            absl::string_view path,
                                                            ConfigSyntax syntax);

// A setting's effective value and where it was set.
struct ConfigValue {
  std::string value;
  std::string file;
};

// The value of `key` among `lines` ("key value", or "key<separator>value"; keys compare
// case-insensitively; double quotes around the value dropped). sshd: first wins; systemd:
// last wins and an empty value resets; plain: `first_wins` decides. nullopt if unset.
std::optional<ConfigValue> FindConfigValue(const std::vector<ConfigLine>& lines,
                                           absl::string_view key, char separator,
                                           ConfigSyntax syntax, bool first_wins);

// The existing paths inside the root that the absolute glob `pattern` names ("*", "?" and
// "[...]" in any component; dot files match only an explicit dot), sorted as glob(3) sorts
// them in the C locale; none if nothing matches (a pattern without wildcards names its
// path if that exists). FailedPrecondition past kMaxConfigFiles paths.
absl::StatusOr<std::vector<std::string>> GlobUnderRoot(const HostRoot& host,
                                                       absl::string_view pattern);

// True if `path` has glob characters.
bool HasGlob(absl::string_view path);

// The value that sysctl.d(5) configures for kernel parameter `name` ("net.ipv4.ip_forward")
// at boot: *.conf files of /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d,
// /usr/lib/sysctl.d and /lib/sysctl.d (an earlier directory's file hides a later one of the
// same name; a link to /dev/null masks it) in lexical order of file name, then
// /etc/sysctl.conf; the last assignment wins. nullopt if nothing sets it.
absl::StatusOr<std::optional<ConfigValue>> ConfiguredSysctl(const HostRoot& host,
                                                            absl::string_view name);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECKS_RULES_EFFECTIVE_CONFIG_H_
