#ifndef POSTURA_COMMON_CONFIG_CONFIG_CHECK_H_
#define POSTURA_COMMON_CONFIG_CONFIG_CHECK_H_

// Checks a YAML config file without starting anything, for `--check-config`: every
// problem it can find, each with the key and the line it is on, instead of the first one
// only (what ReadYamlConfigFile and a program's own validation report at start-up).
// Called by postura-collector's and postura-agent's `--check-config`. Pure functions:
// any thread.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace postura {

// One defect of a config file. `line` is 1-based; 0 when the key is not in the file (a
// required key left out). `key` is the dotted path ("limits.max_batch_items",
// "alerting.syslog[0].host"); empty for defects of the whole file.
struct ConfigProblem {
  int line = 0;
  std::string key;
  std::string message;
};

// A program's validation of a parsed config: OK, or InvalidArgument whose message starts
// with the dotted key and ": " (how collector_config.cc and agent_config.cc form theirs).
using ConfigValidator = std::function<absl::Status(const google::protobuf::Message&)>;

// Reads `path` into `message` (its proto is the schema) and returns every problem found:
// malformed YAML; each unknown key and each mistyped value, against the schema; then each
// key `validate` refuses. A program's validation stops at its first refusal, so each
// refused key is cleared (its default may pass) and, refused again (a required key),
// given its value in `filler`, a config of the same type that passes; the validation is
// repeated until it passes or refuses a key it could not get past. Empty when the file is
// good; `message` then holds it.
std::vector<ConfigProblem> CheckYamlConfigFile(const std::string& path,
                                               google::protobuf::Message& message,
                                               const google::protobuf::Message& filler,
                                               const ConfigValidator& validate);

// The line in the YAML text `yaml` where the dotted `key` is set (as above); 0 if it is
// not there.
int LineOfConfigKey(const std::string& yaml, const std::string& key);

// "path:line: key: message", one problem a line ("path: ..." when the line is unknown).
std::string FormatConfigProblems(const std::string& path,
                                 const std::vector<ConfigProblem>& problems);

}  // namespace postura

#endif  // POSTURA_COMMON_CONFIG_CONFIG_CHECK_H_
