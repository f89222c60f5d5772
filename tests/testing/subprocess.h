#ifndef POSTURA_TESTS_TESTING_SUBPROCESS_H_
#define POSTURA_TESTS_TESTING_SUBPROCESS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace postura::test {

struct ProcessResult {
  int exit_code = -1;  // The exit status, or -1 if the process was killed by a signal.
  std::string out;     // Everything written to stdout.
  std::string err;     // Everything written to stderr.
};

// Runs argv[0] with arguments argv[1..] (no shell), with stdin from /dev/null, and waits
// for it. Internal if the process cannot be started.
absl::StatusOr<ProcessResult> RunProcess(const std::vector<std::string>& argv);

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_SUBPROCESS_H_
