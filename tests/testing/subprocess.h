#ifndef POSTURA_TESTS_TESTING_SUBPROCESS_H_
#define POSTURA_TESTS_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::test {

struct ProcessResult {
  int exit_code = -1;  // The exit status, or -1 if the process was killed by a signal.
  std::string out;     // Everything written to stdout.
  std::string err;     // Everything written to stderr.
};

// Runs argv[0] with arguments argv[1..] (no shell), with stdin from /dev/null, and waits
// for it. Internal if the process cannot be started.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv);

// A process running in the background, its stdout and stderr appended to a log file.
// Killed with SIGKILL and reaped on destruction if still running. Not thread-safe.
class ChildProcess {
 public:
  // Starts argv (no shell). Internal if it cannot be started.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                             const std::string& log_path);
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  void Signal(int signal_number);
  // Waits for the process to end: its exit status, or -signal if a signal killed it.
  int Wait();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool reaped_ = false;
};

// Waits until `path` exists and is not empty, checking every 10 ms, and returns its
// contents; DeadlineExceeded after `timeout`.
absl::StatusOr<std::string> WaitForFile(const std::string& path, absl::Duration timeout);

// Lines of the file at `path` that contain `needle`; 0 if it cannot be read.
int CountLinesContaining(const std::string& path, absl::string_view needle);

// Starts `argv` as ChildProcess::Start does, then waits until its log (appended to) has
// one more line containing `started_line` than before: the program says it is running.
// A program that handles its stop signals only from some point of its start-up can then
// be stopped safely. Unavailable if it exits first, DeadlineExceeded after `timeout`.
absl::StatusOr<std::unique_ptr<ChildProcess>> StartAndWaitForLine(
    const std::vector<std::string>& argv, const std::string& log_path,
    absl::string_view started_line, absl::Duration timeout);

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_SUBPROCESS_H_
