#include "tests/testing/process_stats.h"

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace postura::test {

absl::Duration ProcessCpu(pid_t pid) {
  std::ifstream file(absl::StrCat("/proc/", pid, "/stat"));
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::size_t name_end = text.rfind(')');
  if (name_end == std::string::npos) return absl::ZeroDuration();
  // Fields after the ")" that closes the command name; utime and stime are 14 and 15.
  std::vector<std::string> fields = absl::StrSplit(text.substr(name_end + 2), ' ');
  if (fields.size() < 13) return absl::ZeroDuration();
  const double ticks = std::stod(fields[11]) + std::stod(fields[12]);
  return absl::Seconds(ticks / sysconf(_SC_CLK_TCK));
}

double ProcessMemoryMib(pid_t pid, const std::string& key) {
  std::ifstream file(absl::StrCat("/proc/", pid, "/status"));
  const std::string prefix = key + ":";
  for (std::string line; std::getline(file, line);) {
    if (line.rfind(prefix, 0) == 0) return std::stod(line.substr(prefix.size())) / 1024;
  }
  return 0;
}

}  // namespace postura::test
