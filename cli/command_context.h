#ifndef POSTURA_CLI_COMMAND_CONTEXT_H_
#define POSTURA_CLI_COMMAND_CONTEXT_H_

#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/collector_connection.h"
#include "cli/fleco_command.h"
#include "common/model/catalog.h"
#include "google/protobuf/message.h"

namespace postura::cli {

// What a command that talks to a collector works with. Everything is borrowed from main
// and outlives the command.
struct CommandContext {
  CollectorConnection& collector;
  const Catalog& catalog;
  OutputFormat format;
  // Standard output and error, through TerminalSafeStreambuf (cli/terminal_text.h): no
  // control character written to them reaches the terminal.
  std::ostream& out;
  std::ostream& err;
  // Standard output itself, for output that must move the cursor (the screen of `postura
  // watch`) and so shows every outside string through TerminalSafe on its own. Flush `out`
  // before writing here.
  std::ostream& screen;

  // Reports a failed call to the collector (ReportCollectorError): the exit status.
  int Fail(const absl::Status& status) const;
  // Reports an invalid value given on the command line ("postura: " + message): 1.
  int BadInput(const absl::Status& status) const;
  // Writes `message` as indented JSON and a newline.
  void PrintJson(const google::protobuf::Message& message) const;
};

// Prints a collector's answer: as JSON with --format json, else as `render` makes it text;
// a failed call is reported as Fail does. The exit status.
template <typename Response, typename Render>
int PrintResponse(CommandContext& c, const absl::StatusOr<Response>& response, Render render) {
  if (!response.ok()) return c.Fail(response.status());
  if (c.format == OutputFormat::kJson) {
    c.PrintJson(*response);
  } else {
    c.out << render(*response);
  }
  return kExitOk;
}

// The proto3 JSON mapping of `message` (lowerCamelCase names, enums by name, 64-bit
// integers as strings), with every field present even when it has its default value:
// the shape the collector's HTTP API answers with. Indented, or on one line.
std::string ProtoJson(const google::protobuf::Message& message, bool indented);

// A command selected on the command line, to run once parsing is done.
using CommandRun = std::function<int(CommandContext&)>;

// What parsing the command line chose: the command, and the options all commands share.
struct CommandLine {
  CommandRun run;  // Empty until a command's callback sets it.
  OutputFormat format = OutputFormat::kText;
};

// Adds an option `name` whose value is one of the keys of `choices` (any case), setting
// `value` to the key's value; a usage error lists the keys. `value` must outlive parsing.
template <typename T>
CLI::Option* AddChoiceOption(CLI::App* command, const std::string& name, T& value,
                             std::map<std::string, T> choices, const std::string& help) {
  std::vector<std::string> keys;
  for (const auto& [key, unused] : choices) keys.push_back(key);
  std::string type_name;
  for (const std::string& key : keys) type_name += (type_name.empty() ? "" : "|") + key;
  return command
      ->add_option_function<std::string>(
          name,
          [&value, choices](const std::string& key) {
            // The transform below has made `key` one of the keys.
            if (auto found = choices.find(key); found != choices.end()) value = found->second;
          },
          help)
      ->transform(CLI::IsMember(keys, CLI::ignore_case).description(""))
      ->type_name(type_name);
}

// Adds `--format text|json` to `command`, bound to `line.format`.
void AddFormatOption(CLI::App* command, CommandLine& line);

// Makes `command` select `run` when it is parsed.
void OnSelected(CLI::App* command, CommandLine& line, CommandRun run);

}  // namespace postura::cli

#endif  // POSTURA_CLI_COMMAND_CONTEXT_H_
