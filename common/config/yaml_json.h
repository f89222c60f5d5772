#ifndef POSTURA_COMMON_CONFIG_YAML_JSON_H_
#define POSTURA_COMMON_CONFIG_YAML_JSON_H_

// YAML nodes as JSON text, which protobuf's JSON parser reads into a config's schema.
// Internal to common/config (yaml_config.cc, config_check.cc): it names yaml-cpp's types,
// which stay a private dependency of postura_config. Pure functions: any thread.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "yaml-cpp/yaml.h"

namespace postura {

// The node as JSON. Scalars stay strings unless they read as numbers or booleans (quoted
// ones always stay strings). InvalidArgument, prefixed by `source`, for a node nested too
// deep or too large (aliases expanded), or text that is not UTF-8.
absl::StatusOr<std::string> YamlToJsonText(const YAML::Node& node, absl::string_view source);

// Parses JSON text into `message`, refusing unknown keys. InvalidArgument prefixed by
// `source` with protobuf's reason otherwise.
absl::Status JsonTextToConfigMessage(const std::string& json, absl::string_view source,
                                     google::protobuf::Message& message);

}  // namespace postura

#endif  // POSTURA_COMMON_CONFIG_YAML_JSON_H_
