// Evaluators of the sysctl, process, systemd_unit, package and listening rules.
#include <sys/stat.h>
#include <unistd.h>

#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "agent/rules/comparison.h"
#include "agent/rules/parsers.h"
#include "agent/rules/rules.h"
#include "agent/rules/sock_diag.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;

// The command names of the processes under <root>/proc. Processes that exit while we
// list them are skipped.
absl::StatusOr<std::vector<std::string>> ProcessNames(const fs::path& root) {
  std::error_code error;
  fs::directory_iterator it(UnderRoot(root, "/proc"), error);
  if (error) return absl::InternalError(absl::StrCat("cannot list /proc: ", error.message()));
  std::vector<std::string> names;
  for (; it != fs::directory_iterator(); it.increment(error)) {
    if (error) return absl::InternalError(absl::StrCat("cannot list /proc: ", error.message()));
    std::string pid = it->path().filename().string();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), absl::ascii_isdigit)) continue;
    absl::StatusOr<std::string> comm = ReadTextFile(it->path() / "comm");
    if (comm.ok()) names.push_back(std::string(absl::StripAsciiWhitespace(*comm)));
  }
  return names;
}

bool IsMasked(const fs::path& root, absl::string_view unit) {
  std::error_code error;
  fs::path link = UnderRoot(root, absl::StrCat("/etc/systemd/system/", unit));
  return fs::is_symlink(fs::symlink_status(link, error)) &&
         fs::read_symlink(link, error) == "/dev/null";
}

// The *.wants or *.requires directory that links `unit`, or "" if none does.
std::string EnablingDirectory(const fs::path& root, absl::string_view unit) {
  for (absl::string_view base :
       {"/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"}) {
    std::error_code error;
    for (fs::directory_iterator it(UnderRoot(root, base), error), end; !error && it != end;
         it.increment(error)) {
      std::string name = it->path().filename().string();
      if (!absl::EndsWith(name, ".wants") && !absl::EndsWith(name, ".requires")) continue;
      std::error_code missing;
      if (fs::exists(fs::symlink_status(it->path() / std::string(unit), missing))) {
        return absl::StrCat(base, "/", name);
      }
    }
  }
  return "";
}

// Listening sockets on `port` from the IPv4 and IPv6 tables of one protocol.
absl::StatusOr<std::vector<SocketEntry>> Listeners(const fs::path& root, bool udp, int port) {
  std::vector<SocketEntry> listeners;
  // On the live host the kernel lists listeners directly; /proc/net/tcp would make it walk
  // every established connection (most of an agent run's CPU on a busy host).
  std::error_code error;
  if (fs::equivalent(root, "/", error)) {
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
    absl::StatusOr<std::string> text = ReadTextFile(UnderRoot(root, table));
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

RuleResult EvaluateSysctl(const SysctlRule& rule, const fs::path& root) {
  std::string path = absl::StrCat("/proc/sys/", absl::StrReplaceAll(rule.name, {{".", "/"}}));
  absl::StatusOr<std::string> text = ReadTextFile(UnderRoot(root, path));
  if (absl::IsNotFound(text.status())) {
    return NotApplicableResult(absl::StrCat("the kernel has no ", rule.name));
  }
  if (!text.ok()) return ErrorResult(std::string(text.status().message()));
  std::string value =
      absl::StrJoin(absl::StrSplit(*text, absl::ByAnyChar(" \t\n"), absl::SkipEmpty()), " ");
  absl::StatusOr<bool> ok = Satisfies(rule.expected, value);
  if (!ok.ok()) return ErrorResult(std::string(ok.status().message()));
  std::string detail = absl::StrCat(rule.name, " is '", value, "'");
  if (*ok) return PassResult(std::move(detail));
  return FailResult(absl::StrCat(detail, ", expected ", DescribeExpectation(rule.expected)));
}

RuleResult EvaluateProcess(const ProcessRule& rule, const fs::path& root) {
  absl::StatusOr<std::vector<std::string>> names = ProcessNames(root);
  if (!names.ok()) return ErrorResult(std::string(names.status().message()));
  bool running = std::find(names->begin(), names->end(), rule.name) != names->end();
  std::string detail = absl::StrCat("process ", rule.name, running ? " is" : " is not", " running");
  return running != rule.absent ? PassResult(std::move(detail)) : FailResult(std::move(detail));
}

RuleResult EvaluateSystemdUnit(const SystemdUnitRule& rule, const fs::path& root) {
  std::string detail;
  bool enabled = false;
  if (IsMasked(root, rule.unit)) {
    detail = absl::StrCat(rule.unit, " is masked");
  } else if (std::string dir = EnablingDirectory(root, rule.unit); !dir.empty()) {
    enabled = true;
    detail = absl::StrCat(rule.unit, " is enabled (", dir, ")");
  } else {
    detail = absl::StrCat(rule.unit, " is not enabled");
  }
  return enabled != rule.disabled ? PassResult(std::move(detail)) : FailResult(std::move(detail));
}

RuleResult EvaluatePackage(const PackageRule& rule, const fs::path& root) {
  absl::StatusOr<std::string> text = ReadTextFile(UnderRoot(root, "/var/lib/dpkg/status"));
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
  absl::StatusOr<std::vector<SocketEntry>> listeners = Listeners(root, rule.udp, rule.port);
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
