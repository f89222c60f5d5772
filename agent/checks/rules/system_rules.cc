// Evaluators of the sysctl, process, systemd_unit, package and listening rules.
#include <algorithm>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "agent/checks/rules/comparison.h"
#include "agent/checks/rules/effective_config.h"
#include "agent/checks/rules/host_root.h"
#include "agent/checks/rules/parsers.h"
#include "agent/checks/rules/rules.h"
#include "agent/checks/rules/sock_diag.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;

// What a scan of <root>/proc found for a process rule.
struct ProcessScan {
  bool found = false;  // A process matches every field of the rule.
  // Why nothing matched, if there is more to say: the first process with the rule's name
  // but another program or owner, or that the owner does not exist.
  std::string near_miss;
  int unverified = 0;  // Processes whose program or owner could not be read.
  std::string why_unverified;
};

enum class Match { kNo, kYes, kNearMiss, kUnknown };

// The program of /proc/<pid>, from the text of its exe link (never followed: under a
// fixture root it points into the real host). A program replaced on disk since it started
// (a package upgrade) reads "<path> (deleted)"; it is still that program.
absl::StatusOr<std::string> ProcessExecutable(const HostRoot& host, const std::string& dir) {
  absl::StatusOr<std::string> exe = host.ReadLink(absl::StrCat(dir, "/exe"));
  if (!exe.ok()) return exe.status();
  absl::string_view text = *exe;
  absl::ConsumeSuffix(&text, " (deleted)");
  return std::string(text);
}

// Whether the process in `dir` matches `rule`; on a near miss or an unknown, `note` says why.
Match ExamineProcess(const ProcessRule& rule, std::optional<int64_t> owner_uid,
                     const HostRoot& host, const std::string& dir, std::string& note) {
  if (!rule.name.empty()) {
    absl::StatusOr<std::string> comm = host.ReadFile(absl::StrCat(dir, "/comm"));
    if (!comm.ok() || absl::StripAsciiWhitespace(*comm) != rule.name) return Match::kNo;
  }
  // Only a process that already has the rule's name is a near miss when the rest differs.
  const Match mismatch = rule.name.empty() ? Match::kNo : Match::kNearMiss;
  std::string program;
  if (!rule.executable.empty()) {
    absl::StatusOr<std::string> exe = ProcessExecutable(host, dir);
    // Kernel threads have no program, and a process may exit while we look.
    if (absl::IsNotFound(exe.status())) return Match::kNo;
    if (!exe.ok()) {
      note = std::string(exe.status().message());
      return Match::kUnknown;
    }
    program = *exe;
    if (program != rule.executable) {
      note = absl::StrCat(dir, " runs ", Excerpt(program));
      return mismatch;
    }
  }
  if (owner_uid) {
    absl::StatusOr<std::string> status = host.ReadFile(absl::StrCat(dir, "/status"));
    if (absl::IsNotFound(status.status())) return Match::kNo;
    std::optional<int64_t> uid = status.ok() ? ParseStatusRealUid(*status) : std::nullopt;
    if (!uid) {
      note = status.ok() ? absl::StrCat(dir, "/status has no Uid line")
                         : std::string(status.status().message());
      return Match::kUnknown;
    }
    if (*uid != *owner_uid) {
      note = program.empty() ? absl::StrCat(dir, " runs as uid ", *uid)
                             : absl::StrCat(dir, " runs ", Excerpt(program), " as uid ", *uid);
      return Match::kNearMiss;
    }
  }
  return Match::kYes;
}

// Scans the processes under <root>/proc for one that matches `rule`. Processes that exit
// while we look are skipped.
absl::StatusOr<ProcessScan> ScanProcesses(const ProcessRule& rule, const HostRoot& host) {
  ProcessScan scan;
  std::optional<int64_t> owner_uid;
  if (!rule.owner.empty()) {
    absl::StatusOr<int64_t> uid = LookUpUid(host, rule.owner);
    if (absl::IsNotFound(uid.status())) {
      // No such user on this host, so nothing runs as it (its package is not installed).
      scan.near_miss = std::string(uid.status().message());
      return scan;
    }
    if (!uid.ok()) return uid.status();
    owner_uid = *uid;
  }
  absl::StatusOr<std::vector<std::string>> entries = host.ListDirectory("/proc");
  if (!entries.ok()) {
    return absl::InternalError(absl::StrCat("cannot list /proc: ", entries.status().message()));
  }
  std::vector<int64_t> pids;
  for (const std::string& entry : *entries) {
    int64_t pid = 0;
    if (std::all_of(entry.begin(), entry.end(), absl::ascii_isdigit) &&
        absl::SimpleAtoi(entry, &pid)) {
      pids.push_back(pid);
    }
  }
  std::sort(pids.begin(), pids.end());  // So that the detail is the same on every run.
  for (int64_t pid : pids) {
    std::string note;
    switch (ExamineProcess(rule, owner_uid, host, absl::StrCat("/proc/", pid), note)) {
      case Match::kYes:
        scan.found = true;
        return scan;
      case Match::kNearMiss:
        if (scan.near_miss.empty()) scan.near_miss = std::move(note);
        break;
      case Match::kUnknown:
        if (scan.unverified++ == 0) scan.why_unverified = std::move(note);
        break;
      case Match::kNo:
        break;
    }
  }
  return scan;
}

// "auditd", "auditd (/usr/sbin/auditd, owner root)", "/usr/sbin/chronyd (owner _chrony)".
std::string DescribeProcess(const ProcessRule& rule) {
  std::vector<std::string> extras;
  if (!rule.name.empty() && !rule.executable.empty()) extras.push_back(rule.executable);
  if (!rule.owner.empty()) extras.push_back(absl::StrCat("owner ", rule.owner));
  std::string what = rule.name.empty() ? rule.executable : rule.name;
  if (extras.empty()) return what;
  return absl::StrCat(what, " (", absl::StrJoin(extras, ", "), ")");
}

bool IsMasked(const HostRoot& host, absl::string_view unit) {
  absl::StatusOr<std::string> link = host.ReadLink(absl::StrCat("/etc/systemd/system/", unit));
  return link.ok() && *link == "/dev/null";
}

// The *.wants or *.requires directory that links `unit`, or "" if none does.
std::string EnablingDirectory(const HostRoot& host, absl::string_view unit) {
  for (absl::string_view base :
       {"/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"}) {
    absl::StatusOr<std::vector<std::string>> names = host.ListDirectory(base);
    if (!names.ok()) continue;
    std::sort(names->begin(), names->end());  // The same answer on every run.
    for (const std::string& name : *names) {
      if (!absl::EndsWith(name, ".wants") && !absl::EndsWith(name, ".requires")) continue;
      if (host.LinkStat(absl::StrCat(base, "/", name, "/", unit)).ok()) {
        return absl::StrCat(base, "/", name);
      }
    }
  }
  return "";
}

// Listening sockets on `port` from the IPv4 and IPv6 tables of one protocol.
absl::StatusOr<std::vector<SocketEntry>> Listeners(const HostRoot& host, bool udp, int port) {
  std::vector<SocketEntry> listeners;
  // On the live host the kernel lists listeners directly; /proc/net/tcp would make it walk
  // every established connection (most of an agent run's CPU on a busy host).
  if (host.IsLiveHost()) {
    absl::StatusOr<std::vector<SocketEntry>> live = LiveListeners(udp);
    if (live.ok()) {
      for (SocketEntry& socket : *live) {
        if (socket.port == port) listeners.push_back(std::move(socket));
      }
      return listeners;
    }
  }
  int tables_read = 0;
  for (absl::string_view suffix : {"", "6"}) {
    std::string table = absl::StrCat("/proc/net/", udp ? "udp" : "tcp", suffix);
    absl::StatusOr<std::string> text = host.ReadFile(table);
    if (absl::IsNotFound(text.status())) continue;  // No IPv6 in this kernel.
    if (!text.ok()) return text.status();
    ++tables_read;
    for (SocketEntry& socket : ParseProcNet(*text)) {
      if (socket.port == port && socket.state == (udp ? 0x07 : 0x0A)) {
        listeners.push_back(std::move(socket));
      }
    }
  }
  if (tables_read == 0) return absl::NotFoundError("no /proc/net socket table");
  return listeners;
}

}  // namespace

namespace {

// The parameter as boot configures it (sysctl.d), checked alone or, with kBoth, after the
// live value passed.
RuleResult EvaluateConfiguredSysctl(const SysctlRule& rule, const HostRoot& host,
                                    absl::string_view live_detail) {
  absl::StatusOr<std::optional<ConfigValue>> configured = ConfiguredSysctl(host, rule.name);
  if (!configured.ok()) return ErrorResult(std::string(configured.status().message()));
  std::string prefix = live_detail.empty() ? "" : absl::StrCat(live_detail, "; ");
  if (!*configured) {
    std::string detail =
        absl::StrCat(prefix, rule.name, " is not set in sysctl.d or /etc/sysctl.conf");
    if (rule.source == SysctlSource::kBoth) return PassResult(std::move(detail));
    return FailResult(absl::StrCat(detail, ", expected ", DescribeExpectation(rule.expected)));
  }
  std::string value = absl::StrJoin(
      absl::StrSplit((*configured)->value, absl::ByAnyChar(" \t"), absl::SkipEmpty()), " ");
  absl::StatusOr<bool> ok = Satisfies(rule.expected, value);
  if (!ok.ok()) return ErrorResult(std::string(ok.status().message()));
  std::string detail =
      absl::StrCat(prefix, (*configured)->file, " sets ", rule.name, " = '", Excerpt(value), "'");
  if (*ok) return PassResult(std::move(detail));
  return FailResult(absl::StrCat(detail, ", expected ", DescribeExpectation(rule.expected)));
}

}  // namespace

RuleResult EvaluateSysctl(const SysctlRule& rule, const fs::path& root) {
  HostRoot host(root);
  if (rule.source == SysctlSource::kConfig) return EvaluateConfiguredSysctl(rule, host, "");
  std::string path = absl::StrCat("/proc/sys/", absl::StrReplaceAll(rule.name, {{".", "/"}}));
  absl::StatusOr<std::string> text = host.ReadFile(path);
  if (absl::IsNotFound(text.status())) {
    return NotApplicableResult(absl::StrCat("the kernel has no ", rule.name));
  }
  if (!text.ok()) return ErrorResult(std::string(text.status().message()));
  std::string value =
      absl::StrJoin(absl::StrSplit(*text, absl::ByAnyChar(" \t\n"), absl::SkipEmpty()), " ");
  absl::StatusOr<bool> ok = Satisfies(rule.expected, value);
  if (!ok.ok()) return ErrorResult(std::string(ok.status().message()));
  std::string detail = absl::StrCat(rule.name, " is '", Excerpt(value), "'");
  if (!*ok) {
    return FailResult(absl::StrCat(detail, ", expected ", DescribeExpectation(rule.expected)));
  }
  if (rule.source == SysctlSource::kBoth) return EvaluateConfiguredSysctl(rule, host, detail);
  return PassResult(std::move(detail));
}

RuleResult EvaluateProcess(const ProcessRule& rule, const fs::path& root) {
  absl::StatusOr<ProcessScan> scan = ScanProcesses(rule, HostRoot(root));
  if (!scan.ok()) return ErrorResult(std::string(scan.status().message()));
  std::string what = absl::StrCat("process ", DescribeProcess(rule));
  if (scan->found) {
    std::string detail = absl::StrCat(what, " is running");
    return rule.absent ? FailResult(std::move(detail)) : PassResult(std::move(detail));
  }
  if (scan->unverified > 0) {
    std::string detail =
        absl::StrCat("cannot tell whether ", what, " is running: ", scan->why_unverified);
    if (scan->unverified > 1) absl::StrAppend(&detail, " (and ", scan->unverified - 1, " more)");
    return ErrorResult(std::move(detail));
  }
  std::string detail = absl::StrCat(what, " is not running");
  if (!scan->near_miss.empty()) absl::StrAppend(&detail, "; ", scan->near_miss);
  return rule.absent ? PassResult(std::move(detail)) : FailResult(std::move(detail));
}

RuleResult EvaluateSystemdUnit(const SystemdUnitRule& rule, const fs::path& root) {
  HostRoot host(root);
  std::string detail;
  bool enabled = false;
  if (IsMasked(host, rule.unit)) {
    detail = absl::StrCat(rule.unit, " is masked");
  } else if (std::string dir = EnablingDirectory(host, rule.unit); !dir.empty()) {
    enabled = true;
    detail = absl::StrCat(rule.unit, " is enabled (", dir, ")");
  } else {
    detail = absl::StrCat(rule.unit, " is not enabled");
  }
  return enabled != rule.disabled ? PassResult(std::move(detail)) : FailResult(std::move(detail));
}

RuleResult EvaluatePackage(const PackageRule& rule, const fs::path& root) {
  absl::StatusOr<std::string> text = HostRoot(root).ReadFile("/var/lib/dpkg/status");
  if (absl::IsNotFound(text.status())) {
    return NotApplicableResult("no dpkg database (not a Debian system)");
  }
  if (!text.ok()) return ErrorResult(std::string(text.status().message()));
  std::optional<DpkgPackage> found;
  for (DpkgPackage& package : ParseDpkgStatus(*text)) {
    if (package.name == rule.name && package.installed) found = std::move(package);
  }
  if (!found) {
    std::string detail = absl::StrCat(rule.name, " is not installed");
    return rule.absent ? PassResult(std::move(detail)) : FailResult(std::move(detail));
  }
  std::string detail = absl::StrCat(rule.name, " ", found->version, " is installed");
  if (rule.absent) return FailResult(std::move(detail));
  if (!rule.min_version.empty() && CompareDebianVersions(found->version, rule.min_version) < 0) {
    return FailResult(absl::StrCat(detail, ", expected at least ", rule.min_version));
  }
  return PassResult(std::move(detail));
}

RuleResult EvaluateListening(const ListeningRule& rule, const fs::path& root) {
  absl::StatusOr<std::vector<SocketEntry>> listeners =
      Listeners(HostRoot(root), rule.udp, rule.port);
  if (!listeners.ok()) return ErrorResult(std::string(listeners.status().message()));
  std::string what = absl::StrCat(rule.udp ? "udp" : "tcp", " port ", rule.port);
  if (listeners->empty()) {
    std::string detail = absl::StrCat("nothing listens on ", what);
    return rule.absent || rule.loopback_only ? PassResult(std::move(detail))
                                             : FailResult(std::move(detail));
  }
  if (rule.absent) return FailResult(absl::StrCat("something listens on ", what));
  if (rule.loopback_only) {
    for (const SocketEntry& socket : *listeners) {
      if (!IsLoopbackAddress(socket.local_address)) {
        return FailResult(
            absl::StrCat(what, " listens beyond loopback (", socket.local_address, ")"));
      }
    }
    return PassResult(absl::StrCat(what, " listens on loopback only"));
  }
  return PassResult(absl::StrCat("something listens on ", what));
}

}  // namespace postura::agent
