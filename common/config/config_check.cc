#include "common/config/config_check.h"

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/config/yaml_config.h"
#include "common/config/yaml_json.h"
#include "google/protobuf/descriptor.h"

namespace postura {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// A program's validation stops at its first refusal; after this many rounds a file has
// more problems than anyone reads at once.
constexpr int kMaxValidationRounds = 100;

// One step of a dotted key: "syslog[2]" is name "syslog", index 2.
struct KeyStep {
  std::string name;
  std::optional<int> index;
};

std::optional<std::vector<KeyStep>> SplitKey(const std::string& key) {
  std::vector<KeyStep> steps;
  for (absl::string_view part : absl::StrSplit(key, '.')) {
    KeyStep step;
    const size_t bracket = part.find('[');
    step.name = std::string(part.substr(0, bracket));
    if (bracket != absl::string_view::npos) {
      int index = 0;
      if (part.back() != ']' ||
          !absl::SimpleAtoi(part.substr(bracket + 1, part.size() - bracket - 2), &index)) {
        return std::nullopt;
      }
      step.index = index;
    }
    if (step.name.empty()) return std::nullopt;
    steps.push_back(std::move(step));
  }
  return steps;
}

const FieldDescriptor* FindField(const Descriptor& type, const std::string& name) {
  const FieldDescriptor* field = type.FindFieldByName(name);
  return field != nullptr ? field : type.FindFieldByCamelcaseName(name);
}

// The 1-based line of `key` under `root`, or 0.
int LineOfKey(const YAML::Node& root, const std::string& key) {
  std::optional<std::vector<KeyStep>> steps = SplitKey(key);
  if (!steps) return 0;
  // Node's operator= writes into the node it refers to; reset() moves the reference.
  YAML::Node node;
  node.reset(root);
  int line = 0;
  for (const KeyStep& step : *steps) {
    if (!node.IsMap()) return 0;
    bool found = false;
    for (const auto& entry : node) {
      if (entry.first.Scalar() != step.name) continue;
      line = entry.first.Mark().line + 1;
      node.reset(entry.second);
      found = true;
      break;
    }
    if (!found) return 0;
    if (step.index) {
      if (!node.IsSequence() || *step.index < 0 || *step.index >= static_cast<int>(node.size())) {
        return line;
      }
      const YAML::Node item = node[*step.index];
      node.reset(item);
      line = node.Mark().line + 1;
    }
  }
  return line;
}

// Whether the value of one scalar (or list of scalars, or map) key reads into its field:
// the key alone is parsed into an empty message of the type that holds it.
std::optional<std::string> ValueProblem(const Descriptor& type, const std::string& name,
                                        const YAML::Node& value) {
  YAML::Node alone;
  alone[name] = value;
  absl::StatusOr<std::string> json = YamlToJsonText(alone, name);
  if (!json.ok()) return std::string(json.status().message());
  std::unique_ptr<Message> probe(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type)->New());
  absl::Status parsed = JsonTextToConfigMessage(*json, name, *probe);
  if (parsed.ok()) return std::nullopt;
  // Protobuf's reason follows the field's name: "...:(max_batch_items): invalid value".
  absl::string_view reason = parsed.message();
  const size_t after_field = reason.find("): ");
  if (after_field != absl::string_view::npos) reason.remove_prefix(after_field + 3);
  return std::string(reason);
}

void SchemaProblems(const YAML::Node& map, const Descriptor& type, const std::string& prefix,
                    std::vector<ConfigProblem>& problems);

// The problems of one key's value, against its field.
void FieldProblems(const Descriptor& holder, const FieldDescriptor& field, const std::string& key,
                   const YAML::Node& value, int line, std::vector<ConfigProblem>& problems) {
  const bool nested_message = field.type() == FieldDescriptor::TYPE_MESSAGE && !field.is_map();
  if (!nested_message) {
    if (std::optional<std::string> problem = ValueProblem(holder, field.name(), value)) {
      problems.push_back({line, key, *problem});
    }
    return;
  }
  if (value.IsNull()) return;
  if (!field.is_repeated()) {
    if (!value.IsMap()) {
      problems.push_back({line, key, "expected a mapping of keys to values"});
      return;
    }
    SchemaProblems(value, *field.message_type(), key, problems);
    return;
  }
  if (!value.IsSequence()) {
    problems.push_back({line, key, "expected a list"});
    return;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string item_key = absl::StrCat(key, "[", i, "]");
    if (!value[i].IsMap()) {
      problems.push_back(
          {value[i].Mark().line + 1, item_key, "expected a mapping of keys to values"});
      continue;
    }
    SchemaProblems(value[i], *field.message_type(), item_key, problems);
  }
}

// Every unknown key and mistyped value in `map`, which is read as a `type`.
void SchemaProblems(const YAML::Node& map, const Descriptor& type, const std::string& prefix,
                    std::vector<ConfigProblem>& problems) {
  for (const auto& entry : map) {
    const std::string name = entry.first.Scalar();
    const std::string key = prefix.empty() ? name : absl::StrCat(prefix, ".", name);
    const int line = entry.first.Mark().line + 1;
    const FieldDescriptor* field = FindField(type, name);
    if (field == nullptr) {
      problems.push_back({line, key, "unknown key"});
      continue;
    }
    FieldProblems(type, *field, key, entry.second, line, problems);
  }
}

// Where the dotted `key` lives in `message`: the message that holds it and its field, or,
// for a list's item ("webhooks[0]"), the item and no field. Nullopt if there is no such
// field or it cannot be changed alone (a list's scalar item).
struct KeyPlace {
  Message* holder = nullptr;
  const FieldDescriptor* field = nullptr;
};
std::optional<KeyPlace> PlaceOfKey(const std::string& key, Message& message) {
  std::optional<std::vector<KeyStep>> steps = SplitKey(key);
  if (!steps) return std::nullopt;
  Message* current = &message;
  for (size_t i = 0; i < steps->size(); ++i) {
    const KeyStep& step = (*steps)[i];
    const Reflection& reflection = *current->GetReflection();
    const FieldDescriptor* field = FindField(*current->GetDescriptor(), step.name);
    if (field == nullptr) return std::nullopt;
    const bool last = i + 1 == steps->size();
    if (last && !step.index) return KeyPlace{current, field};
    if (field->type() != FieldDescriptor::TYPE_MESSAGE) return std::nullopt;
    if (!step.index) {
      if (field->is_repeated()) return std::nullopt;
      current = reflection.MutableMessage(current, field);
      continue;
    }
    if (!field->is_repeated() || *step.index < 0 ||
        *step.index >= reflection.FieldSize(*current, field)) {
      return std::nullopt;
    }
    current = reflection.MutableRepeatedMessage(current, field, *step.index);
    if (last) return KeyPlace{current, nullptr};
  }
  return std::nullopt;
}

// Clears the value at `key` in `message`; false if it cannot.
bool ClearKey(const std::string& key, Message& message) {
  std::optional<KeyPlace> place = PlaceOfKey(key, message);
  if (!place) return false;
  if (place->field == nullptr) {
    place->holder->Clear();
  } else {
    place->holder->GetReflection()->ClearField(place->holder, place->field);
  }
  return true;
}

// Sets the value at `key` in `message` to the one in `filler`; false if it cannot.
bool FillKey(const std::string& key, Message& filler, Message& message) {
  std::optional<KeyPlace> to = PlaceOfKey(key, message);
  std::optional<KeyPlace> from = PlaceOfKey(key, filler);
  if (!to || !from || to->field == nullptr || from->field == nullptr) return false;
  to->holder->GetReflection()->SwapFields(to->holder, from->holder, {to->field});
  return true;
}

// The key a validation error names: the text before its first ": ", if it has no spaces.
std::string KeyOfError(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) return "";
  absl::string_view key = message.substr(0, colon);
  return key.find(' ') == absl::string_view::npos ? std::string(key) : "";
}

// Runs `validate` until it passes, so that every refused key is reported, not only the
// first: each refused key is cleared (its default may pass) and, if it is refused again
// (a required key), given `filler`'s value. Works on copies: `message` keeps the file.
void ValidationProblems(const YAML::Node& root, const Message& message, const Message& filler,
                        const ConfigValidator& validate, std::vector<ConfigProblem>& problems) {
  std::unique_ptr<Message> copy(message.New());
  copy->CopyFrom(message);
  std::unique_ptr<Message> spare(filler.New());
  spare->CopyFrom(filler);
  std::vector<std::string> reported, filled;
  for (int round = 0; round < kMaxValidationRounds; ++round) {
    absl::Status valid = validate(*copy);
    if (valid.ok()) return;
    const std::string key = KeyOfError(valid.message());
    if (key.empty()) {
      problems.push_back({0, "", std::string(valid.message())});
      return;
    }
    if (std::find(reported.begin(), reported.end(), key) == reported.end()) {
      reported.push_back(key);
      problems.push_back(
          {LineOfKey(root, key), key, std::string(valid.message().substr(key.size() + 2))});
      if (!ClearKey(key, *copy)) return;
    } else if (std::find(filled.begin(), filled.end(), key) == filled.end()) {
      filled.push_back(key);
      if (!FillKey(key, *spare, *copy)) return;
    } else {
      return;
    }
  }
}

}  // namespace

std::vector<ConfigProblem> CheckYamlConfigFile(const std::string& path, Message& message,
                                               const Message& filler,
                                               const ConfigValidator& validate) {
  std::ifstream file(path);
  if (!file) return {{0, "", "cannot read the file"}};
  std::ostringstream text;
  text << file.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    return {{e.mark.line + 1, "", absl::StrCat("malformed YAML: ", e.msg)}};
  }
  if (!root.IsNull() && !root.IsMap()) return {{1, "", "expected a mapping of keys to values"}};
  std::vector<ConfigProblem> problems;
  if (root.IsMap()) SchemaProblems(root, *message.GetDescriptor(), "", problems);
  if (!problems.empty()) return problems;
  // The schema holds: the whole file reads, and the program's own rules come next.
  if (absl::Status s = ParseYamlConfig(text.str(), path, message); !s.ok()) {
    return {{0, "", std::string(s.message())}};
  }
  ValidationProblems(root, message, filler, validate, problems);
  return problems;
}

int LineOfConfigKey(const std::string& yaml, const std::string& key) {
  try {
    return LineOfKey(YAML::Load(yaml), key);
  } catch (const YAML::Exception&) {
    return 0;
  }
}

std::string FormatConfigProblems(const std::string& path,
                                 const std::vector<ConfigProblem>& problems) {
  std::string text;
  for (const ConfigProblem& problem : problems) {
    absl::StrAppend(&text, path);
    if (problem.line > 0) absl::StrAppend(&text, ":", problem.line);
    absl::StrAppend(&text, ": ", problem.key.empty() ? "" : absl::StrCat(problem.key, ": "),
                    problem.message, "\n");
  }
  return text;
}

}  // namespace postura
