#include "agent/checks/rules/host_root.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "agent/checks/rules/rules.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

namespace fs = std::filesystem;

using ::testing::Contains;
using ::testing::HasSubstr;

// A checked tree `root/` with its own etc/shadow, next to a directory `outside/` that
// stands for the agent's real host: nothing may ever be read from there.
class TreeTest : public ::testing::Test {
 protected:
  TreeTest() {
    fs::create_directories(root() / "etc/ssh");
    fs::create_directories(outside());
    dir_.WriteFile("root/etc/shadow", "fixture shadow\n");
    dir_.WriteFile("outside/shadow", "HOST SECRET\n");
  }

  fs::path root() const { return dir_.path() / "root"; }
  fs::path outside() const { return dir_.path() / "outside"; }
  void Link(const fs::path& target, const std::string& name) const {
    fs::create_symlink(target, root() / name);
  }

  test::TempDir dir_;
};

class HostRootTest : public TreeTest, public ::testing::WithParamInterface<HostRoot::Resolver> {};

TEST_P(HostRootTest, AbsoluteSymlinkResolvesInsideTheRoot) {
  HostRoot host(root(), GetParam());
  Link("/etc/shadow", "etc/ssh/sshd_config");
  EXPECT_EQ(host.ReadFile("/etc/ssh/sshd_config").value(), "fixture shadow\n");
  // A link to the host's own file names a path the tree does not have.
  Link(outside() / "shadow", "etc/leak");
  EXPECT_TRUE(absl::IsNotFound(host.ReadFile("/etc/leak").status()));
  EXPECT_TRUE(absl::IsNotFound(host.Stat("/etc/leak").status()));
}

TEST_P(HostRootTest, DotDotStopsAtTheRoot) {
  HostRoot host(root(), GetParam());
  EXPECT_TRUE(absl::IsNotFound(host.ReadFile("/../outside/shadow").status()));
  EXPECT_TRUE(absl::IsNotFound(host.ReadFile("../../../outside/shadow").status()));
  Link("../../outside/shadow", "etc/up");
  EXPECT_TRUE(absl::IsNotFound(host.ReadFile("/etc/up").status()));
  // ".." at the root stays there, as in a chroot: this is the tree's own shadow.
  EXPECT_EQ(host.ReadFile("/../../etc/ssh/../shadow").value(), "fixture shadow\n");
  Link("../../../etc/shadow", "etc/ssh/climb");
  EXPECT_EQ(host.ReadFile("/etc/ssh/climb").value(), "fixture shadow\n");
}

TEST_P(HostRootTest, DirectoriesAndLinkTextStayInside) {
  HostRoot host(root(), GetParam());
  fs::create_directories(outside() / "wants");
  Link(outside() / "wants", "etc/wants");
  EXPECT_TRUE(absl::IsNotFound(host.ListDirectory("/etc/wants").status()));
  Link("/etc", "etc/self");
  absl::StatusOr<std::vector<std::string>> names = host.ListDirectory("/etc/self");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, Contains("shadow"));
  EXPECT_EQ(host.ReadLink("/etc/self").value(), "/etc");
  EXPECT_TRUE(S_ISLNK(host.LinkStat("/etc/self").value().st_mode));
  EXPECT_TRUE(S_ISDIR(host.Stat("/etc/self").value().st_mode));
  EXPECT_TRUE(absl::IsFailedPrecondition(host.ReadLink("/etc/shadow").status()));
}

TEST_P(HostRootTest, SymlinkLoopIsAnErrorNotAHang) {
  HostRoot host(root(), GetParam());
  Link("b", "a");
  Link("a", "b");
  absl::StatusOr<std::string> text = host.ReadFile("/a");
  EXPECT_FALSE(text.ok());
  EXPECT_FALSE(absl::IsNotFound(text.status())) << text.status();
}

TEST_P(HostRootTest, OnlyRegularFilesAreRead) {
  HostRoot host(root(), GetParam());
  EXPECT_TRUE(absl::IsFailedPrecondition(host.ReadFile("/etc").status()));
  ASSERT_EQ(mkfifo((root() / "etc/fifo").c_str(), 0600), 0);
  absl::StatusOr<std::string> fifo = host.ReadFile("/etc/fifo");
  EXPECT_TRUE(absl::IsFailedPrecondition(fifo.status())) << fifo.status();
  EXPECT_THAT(fifo.status().message(), HasSubstr("/etc/fifo is not a regular file"));
}

TEST_P(HostRootTest, FileOverTheLimitIsAnError) {
  HostRoot host(root(), GetParam());
  dir_.WriteFile("root/etc/big", std::string(kMaxHostFileBytes + 1, 'x'));
  absl::StatusOr<std::string> big = host.ReadFile("/etc/big");
  EXPECT_TRUE(absl::IsFailedPrecondition(big.status())) << big.status();
  EXPECT_THAT(big.status().message(), HasSubstr("larger than 16 MiB"));
  dir_.WriteFile("root/etc/limit", std::string(kMaxHostFileBytes, 'x'));
  EXPECT_EQ(host.ReadFile("/etc/limit").value().size(), kMaxHostFileBytes);
}

TEST_P(HostRootTest, MissingRootIsAnEmptyTree) {
  HostRoot host(dir_.path() / "no-such-root", GetParam());
  EXPECT_TRUE(absl::IsNotFound(host.ReadFile("/etc/passwd").status()));
  EXPECT_TRUE(absl::IsNotFound(host.ListDirectory("/proc").status()));
  EXPECT_FALSE(host.IsLiveHost());
}

// The live host's pseudo-files report size 0 and /proc/mounts, /proc/net and
// /proc/self are symlinks; all still read when the root is "/".
TEST_P(HostRootTest, LiveProcAndSysStillRead) {
  HostRoot host("/", GetParam());
  EXPECT_TRUE(host.IsLiveHost());
  EXPECT_FALSE(HostRoot(root(), GetParam()).IsLiveHost());
  absl::StatusOr<std::string> mounts = host.ReadFile("/proc/mounts");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  EXPECT_FALSE(mounts->empty());
  absl::StatusOr<std::string> comm = host.ReadFile(absl::StrCat("/proc/", getpid(), "/comm"));
  ASSERT_TRUE(comm.ok()) << comm.status();
  EXPECT_FALSE(comm->empty());
  absl::StatusOr<std::string> exe = host.ReadLink(absl::StrCat("/proc/", getpid(), "/exe"));
  ASSERT_TRUE(exe.ok()) << exe.status();
  EXPECT_EQ(fs::path(*exe).filename(), fs::read_symlink("/proc/self/exe").filename());
  absl::StatusOr<std::vector<std::string>> pids = host.ListDirectory("/proc");
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_THAT(*pids, Contains(absl::StrCat(getpid())));
  if (fs::exists("/proc/net/tcp")) {
    EXPECT_TRUE(host.ReadFile("/proc/net/tcp").ok());
  }
  if (fs::exists("/proc/sys/kernel/ostype")) {
    EXPECT_EQ(host.ReadFile("/proc/sys/kernel/ostype").value(), "Linux\n");
  }
  if (fs::is_directory("/sys/block")) {
    EXPECT_TRUE(host.ListDirectory("/sys/block").ok());
  }
}

INSTANTIATE_TEST_SUITE_P(Resolvers, HostRootTest,
                         ::testing::Values(HostRoot::Resolver::kKernel, HostRoot::Resolver::kWalk),
                         [](const auto& info) {
                           return info.param == HostRoot::Resolver::kKernel ? "Kernel" : "Walk";
                         });

// The evaluators use HostRoot; these are the cases that read the real host, hung or passed
// wrongly when they concatenated paths and opened with open(2).
using EscapeTest = TreeTest;

TEST_F(EscapeTest, ContentRuleReadsTheTreeNotTheHostThroughAnAbsoluteLink) {
  Link(outside() / "shadow", "etc/ssh/sshd_config");
  FileContentRule rule{.path = "/etc/ssh/sshd_config", .pattern = "SECRET"};
  rule.regex = std::regex(rule.pattern);
  RuleResult result = EvaluateFileContent(rule, root());
  EXPECT_EQ(result.verdict, Verdict::kFail) << result.detail;  // Missing, not a match.
  EXPECT_THAT(result.detail, ::testing::Not(HasSubstr("SECRET")));
}

TEST_F(EscapeTest, FileRuleStatsInsideTheRoot) {
  ASSERT_EQ(chmod((outside() / "shadow").c_str(), 0600), 0);
  Link(outside() / "shadow", "etc/gshadow");
  FileRule rule{.path = "/etc/gshadow", .mode_max = 0600};
  EXPECT_EQ(EvaluateFile(rule, root()).verdict, Verdict::kFail);  // It does not exist here.
  rule.absent = true;
  EXPECT_EQ(EvaluateFile(rule, root()).verdict, Verdict::kPass);
}

TEST_F(EscapeTest, DirectoryListingsStayInside) {
  fs::create_directories(outside() / "systemd/multi-user.target.wants");
  dir_.WriteFile("outside/systemd/multi-user.target.wants/auditd.service", "");
  fs::create_directories(root() / "etc/systemd");
  Link(outside() / "systemd", "etc/systemd/system");
  EXPECT_EQ(EvaluateSystemdUnit({.unit = "auditd.service"}, root()).verdict, Verdict::kFail);

  fs::create_directories(outside() / "proc/1");
  dir_.WriteFile("outside/proc/1/comm", "auditd\n");
  Link(outside() / "proc", "proc");
  EXPECT_EQ(EvaluateProcess({.name = "auditd"}, root()).verdict, Verdict::kError);
}

TEST_F(EscapeTest, FifoGivesAnErrorPromptly) {
  ASSERT_EQ(mkfifo((root() / "etc/ssh/sshd_config").c_str(), 0600), 0);
  KeyValueRule rule{.path = "/etc/ssh/sshd_config", .key = "PermitRootLogin"};
  RuleResult result;
  absl::Notification done;
  std::thread worker([&] {
    result = EvaluateKeyValue(rule, root());
    done.Notify();
  });
  bool prompt = done.WaitForNotificationWithTimeout(absl::Seconds(10));
  if (!prompt) {
    // Unblock the reader (a writer's close gives it EOF) so that the test can end.
    int writer = open((root() / "etc/ssh/sshd_config").c_str(), O_WRONLY | O_NONBLOCK);
    if (writer >= 0) close(writer);
  }
  worker.join();
  EXPECT_TRUE(prompt) << "reading a FIFO blocked";
  EXPECT_EQ(result.verdict, Verdict::kError);
  EXPECT_THAT(result.detail, HasSubstr("not a regular file"));
}

TEST_F(EscapeTest, AbsentPatternIsAnErrorNotAPassOnAnOversizedFile) {
  // The line the rule forbids sits past the limit, where a cut-off read would miss it.
  dir_.WriteFile("root/etc/ssh/sshd_config",
                 std::string(kMaxHostFileBytes, '#') + "\nPermitRootLogin yes\n");
  FileContentRule rule{
      .path = "/etc/ssh/sshd_config", .pattern = "^PermitRootLogin yes", .absent = true};
  rule.regex = std::regex(rule.pattern);
  RuleResult result = EvaluateFileContent(rule, root());
  EXPECT_EQ(result.verdict, Verdict::kError) << result.detail;
  EXPECT_THAT(result.detail, HasSubstr("larger than 16 MiB"));
}

}  // namespace
}  // namespace postura::agent
