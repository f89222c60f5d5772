// postura: the command-line client. Parses the command line and dispatches; the commands
// themselves live in the cli library.

#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "cli/collector_connection.h"
#include "cli/command_context.h"
#include "cli/evidence_commands.h"
#include "cli/exceptions_commands.h"
#include "cli/export_command.h"
#include "cli/fleco_collector_commands.h"
#include "cli/fleco_command.h"
#include "cli/history_commands.h"
#include "cli/plan_command.h"
#include "cli/profile_command.h"
#include "cli/registry_commands.h"
#include "cli/remediation_command.h"
#include "cli/report_command.h"
#include "cli/requests_commands.h"
#include "cli/score_commands.h"
#include "cli/targets_command.h"
#include "cli/terminal_text.h"
#include "cli/token_commands.h"
#include "cli/verify_command.h"
#include "cli/watch_command.h"
#include "common/model/catalog.h"
#include "common/transport/grpc_lifetime.h"

namespace {

using postura::Catalog;
using namespace postura::cli;

// The built-in catalog, or the one in `path` when given. Null after printing the error to
// `err`.
const Catalog* LoadCatalog(const std::string& path, std::unique_ptr<Catalog>& storage,
                           std::ostream& err) {
  if (path.empty()) return &Catalog::Builtin();
  absl::StatusOr<Catalog> catalog = Catalog::FromFile(path);
  if (!catalog.ok()) {
    err << "postura: " << catalog.status().message() << "\n";
    return nullptr;
  }
  storage = std::make_unique<Catalog>(*std::move(catalog));
  return storage.get();
}

}  // namespace

int main(int argc, char** argv) {
  postura::GrpcLifetime grpc_lifetime;  // Outlives every channel (common/grpc_lifetime.h).
  CLI::App app{"postura: continuous, asset-focused cybersecurity posture (CyberTOMP)."};
  app.footer(
      "Exit status: 0 on success, 1 when an input file or value is invalid or the collector "
      "refused the request (its message on stderr), 2 on a usage error, 3 when `plan` or "
      "`fleco plan` finds that the targets cannot all be met, 4 when the collector cannot be "
      "reached.\nSee docs/cli.md for every command with an example.");
  app.require_subcommand(1);
  // Global options may also follow the subcommand: `postura score web --collector host:4317`.
  app.fallthrough();
  std::string catalog_path;
  app.add_option("--catalog", catalog_path,
                 "Expected-outcome catalog (YAML) to score against; default: the built-in "
                 "ULEO v1 (must match the collector's for targets and FLECO cases)");
  std::string collector_address = DefaultCollectorAddress();
  app.add_option("--collector", collector_address,
                 "The collector's gRPC address, host:port (default: $POSTURA_COLLECTOR, or "
                 "127.0.0.1:4317)");
  std::string ca_file = DefaultCaFile();
  app.add_option("--ca-file", ca_file,
                 "PEM file of the CA the collector's certificate must chain to, e.g. the "
                 "collector's <data_dir>/tls/ca.crt (default: $POSTURA_CA_FILE, or the system's "
                 "trusted CAs)");
  std::string token_file = DefaultTokenFile();
  app.add_option("--token-file", token_file,
                 "Owner-only file holding an API token (default: $POSTURA_TOKEN_FILE); see "
                 "`postura tokens`");
  CommandLine line;
  AddRegistryCommands(app, line);
  AddTargetsCommands(app, line);
  AddScoreCommands(app, line);
  AddHistoryCommands(app, line);
  AddRemediationCommand(app, line);
  AddProfileCommand(app, line);
  AddWatchCommand(app, line);
  AddTokenCommands(app, line);
  AddReportCommand(app, line);
  AddRequestsCommands(app, line);
  AddEvidenceCommands(app, line);
  AddVerifyCommand(app, line);
  AddExceptionsCommands(app, line);
  AddExportCommand(app, line);

  CLI::App* fleco = app.add_subcommand("fleco", "FLECO case files (the CyberTOMP reference tool)");
  fleco->require_subcommand(1);
  FlecoScoreOptions score_options;
  CLI::App* score = fleco->add_subcommand(
      "score",
      "Print the asset, function and category values of a case's initial status (and target "
      "status), and how far each strategic target is met");
  score->add_option("case", score_options.case_path, "FLECO case file (JSON)")->required();
  score->add_option("--format", score_options.format, "Output format: text (default) or json")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, OutputFormat>{{"text", OutputFormat::kText},
                                              {"json", OutputFormat::kJson}},
          CLI::ignore_case));

  FlecoPlanOptions plan_options;
  CLI::App* plan = fleco->add_subcommand(
      "plan",
      "Plan a target status that meets every strategic target with the fewest changed "
      "outcomes (then the least effort-weighted increase), or name the targets that conflict");
  plan->add_option("case", plan_options.case_path, "FLECO case file (JSON)")->required();
  plan->add_option("-o,--output", plan_options.output_path,
                   "Write the case with the plan as its target status to this file (FLECO "
                   "Studio opens it)");
  plan->add_option("--format", plan_options.format, "Output format: text (default) or json")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, OutputFormat>{{"text", OutputFormat::kText},
                                              {"json", OutputFormat::kJson}},
          CLI::ignore_case));
  plan->add_option("--lock", plan_options.locked, "Gene whose level must not change (repeatable)");
  plan->add_option("--effort", plan_options.efforts,
                   "ID=N: relative effort N (1-1000, default 1) of raising the outcomes of "
                   "functional area ID, or of gene ID (repeatable)");
  AddFlecoCollectorCommands(*fleco, line);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  // From here on, everything printed may quote what agents, suppliers, case files or the
  // collector sent: it goes through a filter that shows control characters as escapes.
  TerminalSafeStreambuf out_filter(std::cout.rdbuf()), err_filter(std::cerr.rdbuf());
  std::ostream out(&out_filter), err(&err_filter);
  err.setf(std::ios::unitbuf);  // Like std::cerr.
  std::unique_ptr<Catalog> loaded;
  const Catalog* catalog = LoadCatalog(catalog_path, loaded, err);
  if (catalog == nullptr) return kExitBadInput;
  if (score->parsed()) return RunFlecoScore(*catalog, score_options, out, err);
  if (plan->parsed()) return RunFlecoPlan(*catalog, plan_options, out, err);
  if (!line.run) return kExitUsage;
  absl::StatusOr<postura::CollectorTrust> trust = postura::LoadCollectorTrust(ca_file, token_file);
  if (!trust.ok()) {
    err << "postura: " << trust.status().message() << "\n";
    return kExitBadInput;
  }
  CollectorConnection collector(collector_address, *trust);
  CommandContext context{collector, *catalog, line.format, out, err, std::cout};
  return line.run(context);
}
