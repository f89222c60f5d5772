// How the agent runs oscap, shown with stand-in `oscap` scripts that report what they were
// given (priority, I/O class, environment, signal mask) or misbehave (hang, fail, are
// missing). The real oscap on real content is in oscap_content_test.cc.

#include "agent/checks/openscap/oscap_process.h"

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent::openscap {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(text.str()));
}

// An executable stand-in for oscap with `body` as its shell script.
std::string FakeOscap(const test::TempDir& dir, absl::string_view body) {
  const std::string path = dir.WriteFile("oscap", absl::StrCat("#!/bin/sh\n", body, "\n"));
  chmod(path.c_str(), 0755);
  return path;
}

OscapCommand CommandFor(const test::TempDir& dir, const std::string& oscap) {
  OscapCommand command;
  command.oscap = oscap;
  command.datastream = "/content/ds.xml";
  command.profile = "xccdf_org.example_profile_p";
  command.results = (dir.path() / "results.xml").string();
  command.timeout = absl::Seconds(20);
  return command;
}

TEST(OscapProcessTest, BuildsTheEvaluationCommand) {
  OscapCommand command;
  command.datastream = "ds.xml";
  command.profile = "p";
  command.results = "out.xml";
  EXPECT_THAT(OscapArguments(command), ElementsAre("/usr/bin/oscap", "xccdf", "eval", "--profile",
                                                   "p", "--results", "out.xml", "ds.xml"));
  command.tailoring = "t.xml";
  EXPECT_THAT(OscapArguments(command),
              ElementsAre("/usr/bin/oscap", "xccdf", "eval", "--profile", "p", "--tailoring-file",
                          "t.xml", "--results", "out.xml", "ds.xml"));
}

TEST(OscapProcessTest, RunsAtIdlePriorityWithTheArgumentsAndAnEmptySignalMask) {
  test::TempDir dir;
  const std::string report = (dir.path() / "report").string();
  const std::string oscap = FakeOscap(
      dir, absl::StrCat("echo \"$@\" > ", report, "\n", "cut -d' ' -f19 /proc/$$/stat >> ", report,
                        "\n", "ionice -p $$ >> ", report, "\n",
                        // The shell's own mask, read without a child: while the shell waits
                        // for one (grep), it may block signals for a moment itself.
                        "while IFS= read -r line; do case \"$line\" in SigBlk*) printf '%s\\n' "
                        "\"$line\";; esac; done < /proc/$$/status >> ",
                        report, "\n", "exit 2"));
  // The agent's threads block SIGTERM; oscap must not inherit that.
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &term, &old);
  absl::StatusOr<OscapRun> run = RunOscap(CommandFor(dir, oscap));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_GT(run->peak_rss_bytes, 0);
  const std::vector<std::string> lines = absl::StrSplit(ReadAll(report), '\n');
  EXPECT_THAT(lines,
              ElementsAre(absl::StrCat("xccdf eval --profile xccdf_org.example_profile_p "
                                       "--results ",
                                       (dir.path() / "results.xml").string(), " /content/ds.xml"),
                          "19", "idle", "SigBlk:\t0000000000000000"));
}

TEST(OscapProcessTest, EvaluatesAnotherRootTheWayOscapChrootDoes) {
  test::TempDir dir;
  const std::string report = (dir.path() / "report").string();
  const std::string oscap = FakeOscap(
      dir, absl::StrCat("echo \"$OSCAP_PROBE_ROOT $OSCAP_EVALUATION_TARGET\" > ", report));
  std::filesystem::create_directories(dir.path() / "host" / "etc");
  OscapCommand command = CommandFor(dir, oscap);
  command.root = (dir.path() / "host" / "etc" / "..").string();
  ASSERT_TRUE(RunOscap(command).ok());
  const std::string root = std::filesystem::canonical(dir.path() / "host").string();
  EXPECT_EQ(ReadAll(report), absl::StrCat(root, " chroot://", root));

  command.root = "/";
  ASSERT_TRUE(RunOscap(command).ok());
  EXPECT_EQ(ReadAll(report), "");  // The live host: nothing redirected.
}

TEST(OscapProcessTest, KillsAnEvaluationThatOutlivesItsTimeoutWithWhatItStarted) {
  test::TempDir dir;
  const std::string pids = (dir.path() / "pids").string();
  const std::string oscap = FakeOscap(dir, absl::StrCat("sleep 60 &\necho $! > ", pids, "\nwait"));
  OscapCommand command = CommandFor(dir, oscap);
  command.timeout = absl::Milliseconds(500);
  const absl::Time start = absl::Now();
  absl::StatusOr<OscapRun> run = RunOscap(command);
  EXPECT_EQ(run.status().code(), absl::StatusCode::kDeadlineExceeded) << run.status();
  EXPECT_THAT(run.status().message(), HasSubstr("longer than its timeout of 500ms"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(4)) << "SIGTERM was enough";
  const pid_t sleeper = std::stoi(ReadAll(pids));
  // The group's grandchild got the signal too (it may take a moment to be reaped by init).
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (kill(sleeper, 0) == 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  const std::string state = ReadAll(absl::StrCat("/proc/", sleeper, "/stat"));
  EXPECT_TRUE(state.empty() || absl::StrContains(state, ") Z ")) << state;
}

TEST(OscapProcessTest, StopsWhenTheAgentStops) {
  test::TempDir dir;
  const std::string oscap = FakeOscap(dir, "sleep 60");
  absl::Notification stop;
  std::thread stopper([&] {
    absl::SleepFor(absl::Milliseconds(300));
    stop.Notify();
  });
  absl::StatusOr<OscapRun> run = RunOscap(CommandFor(dir, oscap), &stop);
  stopper.join();
  EXPECT_EQ(run.status().code(), absl::StatusCode::kCancelled) << run.status();
}

TEST(OscapProcessTest, QuotesOscapsErrorWhenItFails) {
  test::TempDir dir;
  const std::string oscap =
      FakeOscap(dir, "echo 'OpenSCAP Error: Unable to open file: /content/ds.xml' >&2\nexit 1");
  absl::StatusOr<OscapRun> run = RunOscap(CommandFor(dir, oscap));
  EXPECT_EQ(run.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(run.status().message(),
              HasSubstr("oscap failed (exit status 1): OpenSCAP Error: Unable to open file"));
}

TEST(OscapProcessTest, SaysWhichPackageIsMissing) {
  test::TempDir dir;
  absl::StatusOr<OscapRun> run = RunOscap(CommandFor(dir, (dir.path() / "no-such-oscap").string()));
  EXPECT_EQ(run.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(run.status().message(), HasSubstr("apt install openscap-scanner"));
}

TEST(OscapProcessTest, RefusesAnIncompleteCommand) {
  test::TempDir dir;
  OscapCommand command = CommandFor(dir, "/bin/true");
  command.profile.clear();
  EXPECT_THAT(RunOscap(command).status().message(), HasSubstr("no OpenSCAP profile"));
  command = CommandFor(dir, "/bin/true");
  command.root = (dir.path() / "missing").string();
  EXPECT_THAT(RunOscap(command).status().message(), HasSubstr("not a directory"));
}

}  // namespace
}  // namespace postura::agent::openscap
