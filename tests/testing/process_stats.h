#ifndef POSTURA_TESTS_TESTING_PROCESS_STATS_H_
#define POSTURA_TESTS_TESTING_PROCESS_STATS_H_

#include <sys/types.h>

#include <map>
#include <string>

#include "absl/time/time.h"

namespace postura::test {

// CPU time (user + system) the process has used so far, from /proc/PID/stat.
absl::Duration ProcessCpu(pid_t pid);

// CPU time each of the process's live threads has used so far, summed by thread name
// (/proc/PID/task/*/stat; see common/base/thread_name.h). Threads that ended are missing.
std::map<std::string, absl::Duration> ThreadCpuByName(pid_t pid);

// A kB figure of /proc/PID/status, in MiB: "VmRSS", "VmHWM", "RssAnon", "RssFile", ...
// 0 if the process or the key is not there.
double ProcessMemoryMib(pid_t pid, const std::string& key);

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_PROCESS_STATS_H_
