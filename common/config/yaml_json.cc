#include "common/config/yaml_json.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

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

absl::StatusOr<std::string> YamlToJsonText(const YAML::Node& node, absl::string_view source) {
  Budget budget;
  const nlohmann::json json = ToJson(node, 0, budget);
  if (budget.exceeded) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": nested deeper than ", kMaxDepth, " levels or more than ", kMaxNodes,
                     " values (with aliases expanded); a config is never that large"));
  }
  try {
    return json.dump();
  } catch (const nlohmann::json::exception&) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": not valid UTF-8"));
  }
}

absl::Status JsonTextToConfigMessage(const std::string& json, absl::string_view source,
                                     google::protobuf::Message& message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  // Protobuf 3.21 has its own Status type; only its text crosses this edge.
  const auto status = google::protobuf::util::JsonStringToMessage(json, &message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": ", status.ToString()));
  }
  return absl::OkStatus();
}

}  // namespace postura
