#ifndef POSTURA_AGENT_CHECKS_RULES_RULE_H_
#define POSTURA_AGENT_CHECKS_RULES_RULE_H_

#include <optional>
#include <regex>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::agent {

// Validated rules of a check pack (proto/postura/v1/check_pack.proto documents each
// field). Built by agent/check_pack.h; immutable afterwards, so they may be evaluated from
// several threads at once. Regular expressions are std::regex (ECMAScript), matched line by
// line: packs hold a few dozen short patterns, RE2 would add a dependency for no measured
// gain, and per-line matching bounds the input that libstdc++'s recursive matcher sees.

// The outcome of one rule or one check. An error means "could not tell", never "fail".
enum class Verdict { kPass, kFail, kError, kNotApplicable };

// "pass", "fail", "error" or "not_applicable".
absl::string_view VerdictName(Verdict verdict);

struct RuleResult {
  Verdict verdict = Verdict::kError;
  std::string detail;  // Short and human, e.g. "PermitRootLogin is 'yes', expected 'no'".
};

// The longest excerpt of host text (a file's line, a value, a program's output) that a
// detail quotes, in bytes.
inline constexpr size_t kMaxExcerptBytes = 120;

// Host text for a detail: valid UTF-8 (invalid bytes become U+FFFD), cut to at most
// kMaxExcerptBytes on a character boundary.
std::string Excerpt(absl::string_view text);

// Shorthands for evaluators. Each makes `detail` valid UTF-8, as the protobuf string that
// carries it must be.
RuleResult PassResult(std::string detail);
RuleResult FailResult(std::string detail);
RuleResult ErrorResult(std::string detail);
RuleResult NotApplicableResult(std::string detail);

// What a missing file or mount point means.
enum class IfMissing { kFail, kNotApplicable };

// A fail or not_applicable result, as `if_missing` says.
RuleResult MissingResult(IfMissing if_missing, std::string detail);

// A comparison of an observed value with an expected one.
struct Comparison {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kMatch };
  Op op = Op::kEq;
  std::string value;
  std::optional<double> number;     // `value` as a number, set iff it reads as one.
  std::optional<std::regex> regex;  // Set iff op is kMatch.
};

// "eq", "ne", ... "match".
absl::string_view ComparisonOpName(Comparison::Op op);

// Which program's rules assemble a configuration from its files (effective_config.h).
enum class ConfigSyntax {
  kPlain,    // The named file alone.
  kSshd,     // sshd_config(5): Include (globs, sorted, relative to /etc/ssh, nested), Match
             // blocks skipped (they are not applied globally); first value wins.
  kPam,      // pam.d(5): "@include FILE" and "TYPE include|substack FILE" (only TYPE lines),
             // relative to /etc/pam.d; comments dropped.
  kSystemd,  // systemd.unit(5)/systemd.syntax(7): the main file, then FILE.d/*.conf drop-ins
             // from /etc, /run, /usr/local/lib and /usr/lib (/lib) trees, by file name;
             // last value wins, an empty assignment resets to the default.
};

struct FileRule {
  std::string path;
  bool absent = false;
  std::optional<unsigned> mode_max;  // Permission bits, e.g. 0640.
  std::string owner;                 // Name or numeric uid; empty: not checked.
  std::string group;                 // Name or numeric gid; empty: not checked.
  IfMissing if_missing = IfMissing::kFail;
};

struct FileContentRule {
  std::string path;
  std::string pattern;  // The source of `regex`, for details.
  std::regex regex;
  bool absent = false;
  IfMissing if_missing = IfMissing::kFail;
  ConfigSyntax syntax = ConfigSyntax::kPlain;  // The lines searched: the file's, or the
                                               // service's whole configuration.
};

struct KeyValueRule {
  std::string path;
  std::string key;
  char separator = 0;  // 0: whitespace.
  bool first_wins = false;
  Comparison expected;
  std::optional<std::string> default_value;
  IfMissing if_missing = IfMissing::kFail;
  ConfigSyntax syntax = ConfigSyntax::kPlain;
};

// Where a kernel parameter's value is read.
enum class SysctlSource {
  kLive,    // /proc/sys: the running kernel.
  kConfig,  // sysctl.d and /etc/sysctl.conf: what boot applies; unset fails.
  kBoth,    // The live value, and the configured one too where one is set, so that the
            // next boot keeps it.
};

struct SysctlRule {
  std::string name;
  Comparison expected;
  SysctlSource source = SysctlSource::kLive;
};

// A process matches when every field set matches. `name` alone is weak evidence (any user
// can start a program under any name); `executable` and `owner` name the real daemon.
struct ProcessRule {
  std::string name;        // Command name, as in /proc/PID/comm; empty: any.
  std::string executable;  // Absolute program path, the text of /proc/PID/exe; empty: any.
  std::string owner;       // User name or uid, the real uid of the process; empty: any.
  bool absent = false;
};

struct SystemdUnitRule {
  std::string unit;
  bool disabled = false;
};

struct PackageRule {
  std::string name;
  bool absent = false;
  std::string min_version;  // Empty: any version.
};

struct ListeningRule {
  int port = 0;
  bool udp = false;
  bool absent = false;
  bool loopback_only = false;
};

struct AccountsRule {
  enum class Kind { kUid0OnlyRoot, kNoEmptyPasswords, kPasswordAgeing };
  enum class Field { kMaxDays, kMinDays, kWarnDays, kInactiveDays };
  Kind kind = Kind::kUid0OnlyRoot;
  Field field = Field::kMaxDays;
  Comparison expected;  // For kPasswordAgeing; numeric.
};

struct MountRule {
  std::string mount_point;
  std::vector<std::string> options;
  bool fstab = false;
  IfMissing if_missing = IfMissing::kFail;
};

struct EncryptedDeviceRule {
  std::string mount_point;
};

struct CommandRule {
  std::vector<std::string> argv;
  std::string pattern;              // Empty: no output match.
  std::optional<std::regex> regex;  // Set iff `pattern` is not empty.
  bool absent = false;
  std::optional<int> exit_code;
  std::optional<absl::Duration> timeout;  // Unset: the check's timeout.
};

using Rule = std::variant<FileRule, FileContentRule, KeyValueRule, SysctlRule, ProcessRule,
                          SystemdUnitRule, PackageRule, ListeningRule, AccountsRule, MountRule,
                          EncryptedDeviceRule, CommandRule>;

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CHECKS_RULES_RULE_H_
