// Evaluator of the command rule: posix_spawn with an argument vector, no shell.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/checks/rules/comparison.h"
#include "agent/checks/rules/rules.h"

namespace postura::agent {
namespace {

constexpr size_t kMaxOutputBytes = 1 << 20;

struct Finished {
  int exit_status = 0;  // waitpid's status.
  std::string output;
  bool timed_out = false;
};

// Closes a file descriptor when it goes out of scope.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Starts argv with stdout on `out_fd`, stdin and stderr on /dev/null, in a new process
// group, with a fixed environment. Returns the pid.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, int out_fd) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  char path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  char locale_env[] = "LC_ALL=C";
  char* env[] = {path_env, locale_env, nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  int error = posix_spawn(&pid, args[0], &actions, &attr, args.data(), env);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (error != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot run ", argv[0], ": ", std::strerror(error)));
  }
  return pid;
}

// Reads the child's output until EOF or the deadline, then reaps it (killing its process
// group first on a timeout).
Finished Collect(pid_t pid, int out_fd, absl::Time deadline) {
  Finished finished;
  char buffer[8192];
  while (true) {
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      finished.timed_out = true;
      break;
    }
    pollfd fd{.fd = out_fd, .events = POLLIN, .revents = 0};
    int ready = poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // Timeout: the loop head notices the deadline.
    ssize_t n = read(out_fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child closed stdout (normally by exiting).
    size_t room = kMaxOutputBytes - std::min(kMaxOutputBytes, finished.output.size());
    finished.output.append(buffer, std::min(room, static_cast<size_t>(n)));
  }
  // A child that closed stdout but keeps running also hits the deadline here.
  while (!finished.timed_out) {
    pid_t done = waitpid(pid, &finished.exit_status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) return finished;
    if (absl::Now() >= deadline)
      finished.timed_out = true;
    else
      usleep(1000);
  }
  kill(-pid, SIGKILL);
  while (waitpid(pid, &finished.exit_status, 0) < 0 && errno == EINTR) {
  }
  return finished;
}

absl::StatusOr<Finished> Run(const std::vector<std::string>& argv, absl::Duration timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  ScopedFd read_end(fds[0]), write_end(fds[1]);
  absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<pid_t> pid = Spawn(argv, write_end.get());
  if (!pid.ok()) return pid.status();
  write_end.Reset();  // So that EOF arrives when the child exits.
  return Collect(*pid, read_end.get(), deadline);
}

// The rule's verdict on a program that exited normally.
RuleResult Judge(const CommandRule& rule, const Finished& finished, int exit_code) {
  std::string name = rule.argv[0];
  if (rule.exit_code && exit_code != *rule.exit_code) {
    return FailResult(
        absl::StrCat(name, " exited with ", exit_code, ", expected ", *rule.exit_code));
  }
  if (!rule.exit_code && exit_code != 0) {
    return ErrorResult(absl::StrCat(name, " exited with ", exit_code));
  }
  if (!rule.regex) return PassResult(absl::StrCat(name, " exited with ", exit_code));
  for (absl::string_view line : absl::StrSplit(finished.output, '\n')) {
    absl::StatusOr<bool> found = RegexSearch(*rule.regex, line);
    if (!found.ok()) return ErrorResult(std::string(found.status().message()));
    if (!*found) continue;
    std::string detail = absl::StrCat(name, " printed '", Excerpt(line), "'");
    return rule.absent ? FailResult(std::move(detail)) : PassResult(std::move(detail));
  }
  std::string detail = absl::StrCat(name, " printed no line matching /", rule.pattern, "/");
  return rule.absent ? PassResult(std::move(detail)) : FailResult(std::move(detail));
}

}  // namespace

RuleResult EvaluateCommand(const CommandRule& rule, absl::Duration timeout) {
  if (rule.timeout) timeout = std::min(timeout, *rule.timeout);
  if (rule.argv.empty()) return ErrorResult("empty argv");
  absl::StatusOr<Finished> finished = Run(rule.argv, timeout);
  if (!finished.ok()) return ErrorResult(std::string(finished.status().message()));
  if (finished->timed_out) {
    return ErrorResult(absl::StrCat(rule.argv[0], " timed out after ",
                                    absl::FormatDuration(timeout), " and was killed"));
  }
  if (WIFSIGNALED(finished->exit_status)) {
    return ErrorResult(
        absl::StrCat(rule.argv[0], " was killed by signal ", WTERMSIG(finished->exit_status)));
  }
  return Judge(rule, *finished, WEXITSTATUS(finished->exit_status));
}

}  // namespace postura::agent
