#include "common/config/yaml_config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "yaml-cpp/yaml.h"

namespace postura {
namespace {

// Config files are small: deeper nesting, or more nodes (which aliases can multiply
// without bound: "billion laughs"), is refused rather than followed.
constexpr int kMaxDepth = 64;
constexpr int kMaxNodes = 100'000;

struct Budget {
  int nodes_left = kMaxNodes;
  bool exceeded = false;
};

// Converts a YAML node to JSON. Scalars stay strings unless they read as numbers or
// booleans; protobuf's JSON parser accepts numbers given as strings, and it names the
// field when a value has the wrong type. Sets budget.exceeded (and returns null) past the
// limits above.
nlohmann::json ToJson(const YAML::Node& node, int depth, Budget& budget) {
  if (budget.exceeded || depth > kMaxDepth || --budget.nodes_left < 0) {
    budget.exceeded = true;
    return nullptr;
  }
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& entry : node) {
        object[entry.first.Scalar()] = ToJson(entry.second, depth + 1, budget);
        if (budget.exceeded) return nullptr;
      }
      return object;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) {
        array.push_back(ToJson(item, depth + 1, budget));
        if (budget.exceeded) return nullptr;
      }
      return array;
    }
    case YAML::NodeType::Scalar: {
      const std::string& text = node.Scalar();
      if (node.Tag() == "!") return text;  // Quoted in the YAML: always a string.
      if (text == "true" || text == "false") return text == "true";
      double number = 0;
      if (absl::SimpleAtod(text, &number) && text.find_first_of("xXnN") == std::string::npos) {
        int64_t integer = 0;
        if (absl::SimpleAtoi(text, &integer)) return integer;
        return number;
      }
      return text;
    }
    default:
      return nullptr;
  }
}

}  // namespace

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
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  // Protobuf 3.21 has its own Status type; only its text crosses this edge.
  Budget budget;
  const nlohmann::json json = ToJson(root, 0, budget);
  if (budget.exceeded) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": nested deeper than ", kMaxDepth, " levels or more than ", kMaxNodes,
                     " values (with aliases expanded); a config is never that large"));
  }
  std::string text;
  try {
    text = json.dump();
  } catch (const nlohmann::json::exception&) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": not valid UTF-8"));
  }
  const auto status = google::protobuf::util::JsonStringToMessage(text, &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", status.ToString()));
  }
  return absl::OkStatus();
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
