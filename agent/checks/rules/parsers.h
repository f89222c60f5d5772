#ifndef POSTURA_AGENT_CHECKS_RULES_PARSERS_H_
#define POSTURA_AGENT_CHECKS_RULES_PARSERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace postura::agent {

// Small pure parsers for the host files the rules read (agent/rules/host_root.h reads
// them). Malformed lines are skipped, as the programs that own these files skip them.
// Thread-safe (no state).

// The value of `key` in a "key value" file (separator 0: whitespace) or "key<sep>value"
// file. Keys compare case-insensitively; '#' starts a comment; surrounding blanks and
// double quotes around the value are dropped. The first or last occurrence wins.
std::optional<std::string> FindKeyValue(absl::string_view text, absl::string_view key,
                                        char separator, bool first_wins);

struct PasswdEntry {
  std::string name;
  int64_t uid = 0;
  int64_t gid = 0;
};
// /etc/passwd lines, name:password:uid:gid:gecos:home:shell.
std::vector<PasswdEntry> ParsePasswd(absl::string_view text);

struct GroupEntry {
  std::string name;
  int64_t gid = 0;
};
// /etc/group lines, name:password:gid:members.
std::vector<GroupEntry> ParseGroup(absl::string_view text);

struct ShadowEntry {
  std::string name;
  std::string password;  // The hash field: empty, "!...", "*", or a crypt hash.
  // Ageing fields, in days; nullopt when the field is empty.
  std::optional<int64_t> min_days, max_days, warn_days, inactive_days;
};
// /etc/shadow lines, name:password:lastchg:min:max:warn:inactive:expire:reserved.
std::vector<ShadowEntry> ParseShadow(absl::string_view text);

// True if a shadow password field holds a hash one can log in with (not empty, not
// locked with '!' or '*').
bool IsUsablePasswordHash(absl::string_view field);

struct DpkgPackage {
  std::string name;
  std::string version;
  bool installed = false;  // Status "install ok installed".
};
// Stanzas of /var/lib/dpkg/status, separated by blank lines.
std::vector<DpkgPackage> ParseDpkgStatus(absl::string_view text);

// Debian version ordering (deb-version(7)): negative, zero or positive as a < b, a == b,
// a > b. "1:2.0" > "10.0"; "1.0~rc1" < "1.0"; "1.0-1" < "1.0-2".
int CompareDebianVersions(absl::string_view a, absl::string_view b);

struct SocketEntry {
  std::string local_address;  // Hex as the kernel prints it, e.g. "0100007F".
  int port = 0;
  int state = 0;  // TCP state; 0x0A is LISTEN, 0x07 is CLOSE (an unconnected UDP socket).
};
// /proc/net/{tcp,tcp6,udp,udp6} tables (header line skipped).
std::vector<SocketEntry> ParseProcNet(absl::string_view text);

// True for 127.0.0.0/8 and ::1 (and ::ffff:127.x) in /proc/net's hex, which is the
// address's 32-bit words in host byte order; assumes a little-endian host.
bool IsLoopbackAddress(absl::string_view hex);

struct MountEntry {
  std::string source;       // "/dev/mapper/root", "tmpfs", "UUID=..."
  std::string mount_point;  // Octal escapes (\040) decoded.
  std::string fs_type;
  std::vector<std::string> options;
};
// /proc/mounts and /etc/fstab lines (comments and blank lines skipped).
std::vector<MountEntry> ParseMounts(absl::string_view text);

// The real uid in /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs"); nullopt if the
// line is missing or malformed.
std::optional<int64_t> ParseStatusRealUid(absl::string_view text);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECKS_RULES_PARSERS_H_
