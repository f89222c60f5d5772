#ifndef POSTURA_COMMON_CONFIG_YAML_CONFIG_H_
#define POSTURA_COMMON_CONFIG_YAML_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace postura {

// Reads a YAML document into `message`, whose proto definition is the file's schema.
// YAML is turned into JSON and parsed with protobuf's JSON parser, which rejects unknown
// keys and mistyped values. `source` names the file in errors. InvalidArgument naming
// the key for any defect; an empty document yields an empty message.
absl::Status ParseYamlConfig(absl::string_view yaml, absl::string_view source,
                             google::protobuf::Message& message);

// Reads the file `path` and parses it as above. NotFound if it cannot be read.
absl::Status ReadYamlConfigFile(const std::string& path, google::protobuf::Message& message);

// Parses a configuration duration: a number and a unit, "90d", "12h", "30m", "45s",
// "250ms", or any combination absl::ParseDuration accepts ("1h30m").
// InvalidArgument for anything else, or for a negative duration.
absl::StatusOr<absl::Duration> ParseConfigDuration(absl::string_view text);

}  // namespace postura

#endif  // POSTURA_COMMON_CONFIG_YAML_CONFIG_H_
