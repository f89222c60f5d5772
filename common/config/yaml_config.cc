#include "common/config/yaml_config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/config/yaml_json.h"

namespace postura {

absl::Status ParseYamlConfig(absl::string_view yaml, absl::string_view source,
                             google::protobuf::Message& message) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", e.mark.line + 1, ": malformed YAML: ", e.msg));
  }
  message.Clear();
  if (root.IsNull()) return absl::OkStatus();
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": expected a mapping of keys to values"));
  }
  absl::StatusOr<std::string> json = YamlToJsonText(root, source);
  if (!json.ok()) return json.status();
  return JsonTextToConfigMessage(*json, source, message);
}

absl::Status ReadYamlConfigFile(const std::string& path, google::protobuf::Message& message) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::ostringstream text;
  text << file.rdbuf();
  return ParseYamlConfig(text.str(), path, message);
}

absl::StatusOr<absl::Duration> ParseConfigDuration(absl::string_view text) {
  absl::Duration duration;
  absl::string_view days = text;
  int64_t day_count = 0;
  // 100,000 days (about 270 years) is far beyond any retention and keeps the hours exact.
  bool ok = absl::ConsumeSuffix(&days, "d")
                ? absl::SimpleAtoi(days, &day_count) && day_count >= 0 && day_count <= 100'000
                : absl::ParseDuration(text, &duration);
  if (ok && days != text) duration = absl::Hours(24 * day_count);
  if (!ok || duration < absl::ZeroDuration() || duration == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a duration (examples: \"90d\", \"12h\", \"30m\", \"45s\")"));
  }
  return duration;
}

}  // namespace postura
