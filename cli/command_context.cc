#include "cli/command_context.h"

#include <map>
#include <ostream>

#include "cli/terminal_text.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace postura::cli {

int CommandContext::Fail(const absl::Status& status) const {
  return ReportCollectorError(status, collector.address(), err);
}

int CommandContext::BadInput(const absl::Status& status) const {
  err << "postura: " << TerminalSafe(status.message()) << "\n";
  return kExitBadInput;
}

void CommandContext::PrintJson(const google::protobuf::Message& message) const {
  out << TerminalSafeLines(ProtoJson(message, /*indented=*/true)) << "\n";
}

std::string ProtoJson(const google::protobuf::Message& message, bool indented) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  // Printing fails only for unresolvable Any fields, which our messages do not have.
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return "{}";
  if (!indented) return json;
  // Protobuf indents by one space; people and jq users expect two.
  const nlohmann::ordered_json parsed =
      nlohmann::ordered_json::parse(json, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? json : parsed.dump(2);
}

void AddFormatOption(CLI::App* command, CommandLine& line) {
  AddChoiceOption(command, "--format", line.format,
                  {{"text", OutputFormat::kText}, {"json", OutputFormat::kJson}},
                  "Output format: text (default) or json");
}

void OnSelected(CLI::App* command, CommandLine& line, CommandRun run) {
  command->callback([&line, run = std::move(run)] { line.run = run; });
}

}  // namespace postura::cli
