#include "tests/testing/process_stats.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace postura::test {

namespace {

// The name and CPU time (user + system) in a /proc stat file; a zero time if it is gone.
std::pair<std::string, absl::Duration> ReadStat(const std::string& path) {
  std::ifstream file(path);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::size_t name_begin = text.find('(');
  const std::size_t name_end = text.rfind(')');
  if (name_begin == std::string::npos || name_end == std::string::npos) return {};
  std::string name = text.substr(name_begin + 1, name_end - name_begin - 1);
  // Fields after the ")" that closes the command name; utime and stime are 14 and 15.
  std::vector<std::string> fields = absl::StrSplit(text.substr(name_end + 2), ' ');
  if (fields.size() < 13) return {std::move(name), absl::ZeroDuration()};
  const double ticks = std::stod(fields[11]) + std::stod(fields[12]);
  return {std::move(name), absl::Seconds(ticks / sysconf(_SC_CLK_TCK))};
}

}  // namespace

absl::Duration ProcessCpu(pid_t pid) {
  return ReadStat(absl::StrCat("/proc/", pid, "/stat")).second;
}

std::map<std::string, absl::Duration> ThreadCpuByName(pid_t pid) {
  std::map<std::string, absl::Duration> by_name;
  std::error_code error;
  for (const auto& task :
       std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/task"), error)) {
    auto [name, cpu] = ReadStat((task.path() / "stat").string());
    if (!name.empty()) by_name[name] += cpu;
  }
  return by_name;
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
