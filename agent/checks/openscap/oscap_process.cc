#include "agent/checks/openscap/oscap_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace postura::agent::openscap {
namespace {

constexpr int kIdleIoPriority = 3 << 13;  // IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT.
constexpr int kIoprioWhoProcess = 1;
constexpr absl::Duration kGraceAfterTerm = absl::Seconds(5);
constexpr absl::Duration kStopPollInterval = absl::Milliseconds(200);
constexpr std::size_t kStderrTailBytes = 600;

// The environment oscap runs with: ours, with the root selected as oscap-chroot does.
std::vector<std::string> OscapEnvironment(const std::string& root) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const absl::string_view text(*entry);
    if (absl::StartsWith(text, "OSCAP_PROBE_ROOT=") ||
        absl::StartsWith(text, "OSCAP_EVALUATION_TARGET=")) {
      continue;
    }
    environment.emplace_back(text);
  }
  if (root != "/") {
    environment.push_back(absl::StrCat("OSCAP_PROBE_ROOT=", root));
    environment.push_back(absl::StrCat("OSCAP_EVALUATION_TARGET=chroot://", root));
  }
  return environment;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// The last lines of what oscap wrote to standard error, on one line.
std::string StderrTail(int fd) {
  const off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0) return "";
  const off_t from = std::max<off_t>(0, size - static_cast<off_t>(kStderrTailBytes));
  std::string text(static_cast<std::size_t>(size - from), '\0');
  const ssize_t got = pread(fd, text.data(), text.size(), from);
  text.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n', absl::SkipWhitespace());
  return absl::StrJoin(lines, " | ");
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void ExecOscap(char* const* argv, char* const* envp, int null_fd, int stderr_fd,
                            int exec_error_fd) {
  setpgid(0, 0);  // Its own group, so a timeout kills whatever it started too.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // The agent blocks SIGTERM; oscap must not.
  setpriority(PRIO_PROCESS, 0, 19);
  syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, kIdleIoPriority);
  dup2(null_fd, STDIN_FILENO);
  dup2(null_fd, STDOUT_FILENO);
  dup2(stderr_fd, STDERR_FILENO);
  execve(argv[0], argv, envp);
  const int error = errno;
  [[maybe_unused]] ssize_t ignored = write(exec_error_fd, &error, sizeof error);
  _exit(127);
}

// Waits up to `timeout` for the child behind `pidfd` to end, or for `stop`. True if it ended.
bool AwaitExit(int pidfd, absl::Duration timeout, const absl::Notification* stop) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    if (stop != nullptr && stop->HasBeenNotified()) return false;
    pollfd fd = {.fd = pidfd, .events = POLLIN, .revents = 0};
    const absl::Duration slice = std::min(left, kStopPollInterval);
    const int ready = poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(slice)) + 1);
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

// Ends the child's whole process group: SIGTERM, then SIGKILL after a grace period.
void KillGroup(pid_t pid, int pidfd) {
  kill(-pid, SIGTERM);
  if (!AwaitExit(pidfd, kGraceAfterTerm, nullptr)) kill(-pid, SIGKILL);
}

absl::Status CheckCommand(const OscapCommand& command) {
  if (command.profile.empty()) return absl::InvalidArgumentError("no OpenSCAP profile given");
  if (command.datastream.empty()) return absl::InvalidArgumentError("no datastream given");
  if (command.results.empty()) return absl::InvalidArgumentError("no results path given");
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> OscapArguments(const OscapCommand& command) {
  std::vector<std::string> arguments = {command.oscap, "xccdf", "eval", "--profile",
                                        command.profile};
  if (!command.tailoring.empty()) {
    arguments.insert(arguments.end(), {"--tailoring-file", command.tailoring});
  }
  arguments.insert(arguments.end(), {"--results", command.results, command.datastream});
  return arguments;
}

absl::StatusOr<OscapRun> RunOscap(const OscapCommand& command, const absl::Notification* stop) {
  if (absl::Status s = CheckCommand(command); !s.ok()) return s;
  std::error_code error;
  const std::filesystem::path root = std::filesystem::canonical(command.root, error);
  if (error || !std::filesystem::is_directory(root, error)) {
    return absl::InvalidArgumentError(absl::StrCat("root ", command.root, ": not a directory"));
  }
  std::vector<std::string> arguments = OscapArguments(command);
  std::vector<std::string> environment = OscapEnvironment(root.string());
  std::vector<char*> argv = Pointers(arguments);
  std::vector<char*> envp = Pointers(environment);

  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  const int stderr_fd = memfd_create("oscap-stderr", MFD_CLOEXEC);
  int exec_error[2] = {-1, -1};
  absl::Cleanup close_fds = [&] {
    for (int fd : {null_fd, stderr_fd, exec_error[0], exec_error[1]}) {
      if (fd >= 0) close(fd);
    }
  };
  if (null_fd < 0 || stderr_fd < 0 || pipe2(exec_error, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("cannot prepare oscap's run: ", strerror(errno)));
  }
  const absl::Time start = absl::Now();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  if (pid == 0) ExecOscap(argv.data(), envp.data(), null_fd, stderr_fd, exec_error[1]);
  close(exec_error[1]);
  exec_error[1] = -1;

  int exec_errno = 0;
  const bool exec_failed = read(exec_error[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  const int pidfd = exec_failed ? -1 : static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  bool finished = true;
  if (pidfd >= 0) {
    finished = AwaitExit(pidfd, command.timeout, stop);
    if (!finished) KillGroup(pid, pidfd);
    close(pidfd);
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  OscapRun run;
  run.elapsed = absl::Now() - start;
  run.peak_rss_bytes = static_cast<int64_t>(usage.ru_maxrss) * 1024;
  run.cpu_time =
      absl::DurationFromTimeval(usage.ru_utime) + absl::DurationFromTimeval(usage.ru_stime);
  if (exec_failed) {
    return absl::NotFoundError(absl::StrCat("cannot run ", command.oscap, ": ",
                                            strerror(exec_errno),
                                            " (Debian: apt install openscap-scanner)"));
  }
  if (!finished && stop != nullptr && stop->HasBeenNotified()) {
    return absl::CancelledError("oscap stopped: the agent is stopping");
  }
  if (!finished) {
    return absl::DeadlineExceededError(absl::StrCat("oscap ran longer than its timeout of ",
                                                    absl::FormatDuration(command.timeout),
                                                    " and was killed"));
  }
  if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 2)) {
    run.exit_code = WEXITSTATUS(status);
    return run;
  }
  const std::string how = WIFEXITED(status) ? absl::StrCat("exit status ", WEXITSTATUS(status))
                                            : absl::StrCat("signal ", WTERMSIG(status));
  return absl::InternalError(absl::StrCat("oscap failed (", how, "): ", StderrTail(stderr_fd)));
}

}  // namespace postura::agent::openscap
