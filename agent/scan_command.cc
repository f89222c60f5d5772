#include "agent/scan_command.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "agent/checks/check_pack.h"
#include "agent/checks/check_runner.h"
#include "agent/checks/openscap/rule_mapping.h"
#include "agent/checks/openscap/xccdf_evidence.h"
#include "agent/checks/openscap/xccdf_results.h"
#include "agent/delivery/wire_level.h"
#include "agent/scan_report.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"
#include "common/model/implementation_group.h"

namespace postura::agent {

// deploy/packs/debian-server.yaml, compiled in (builtin_pack_data.cc.in).
extern const char kBuiltinDebianPack[];

namespace {

constexpr char kBuiltinPackName[] = "builtin";

struct Inputs {
  std::vector<CheckPack> packs;
  std::optional<ImplementationGroup> group;
};

absl::StatusOr<CheckPack> LoadPack(const std::string& path, const Catalog& catalog) {
  if (path == kBuiltinPackName) {
    return ParseCheckPack(kBuiltinDebianPack, "built-in debian-server pack", catalog);
  }
  return LoadCheckPack(path, catalog);
}

// Checks the options and loads the packs; InvalidArgument naming the option or file.
absl::StatusOr<Inputs> LoadInputs(const ScanRequest& request, const Catalog& catalog) {
  Inputs inputs;
  if (request.format != "text" && request.format != "json") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format: '", request.format, "' is not text or json"));
  }
  if (!request.asset_ig.empty()) {
    inputs.group = ParseImplementationGroup(request.asset_ig);
    if (!inputs.group) {
      return absl::InvalidArgumentError(
          absl::StrCat("--asset-ig: '", request.asset_ig, "' is not IG1, IG2 or IG3"));
    }
  }
  if (request.max_xccdf_mib < 1) {
    return absl::InvalidArgumentError("--max-xccdf-mib: must be at least 1");
  }
  std::error_code error;
  if (!std::filesystem::is_directory(request.root, error)) {
    return absl::InvalidArgumentError(absl::StrCat("--root ", request.root, ": not a directory"));
  }
  std::vector<std::string> pack_paths = request.packs;
  if (pack_paths.empty() && request.xccdf_results.empty()) pack_paths.push_back(kBuiltinPackName);
  for (const std::string& path : pack_paths) {
    absl::StatusOr<CheckPack> pack = LoadPack(path, catalog);
    if (!pack.ok()) return absl::InvalidArgumentError(pack.status().message());
    inputs.packs.push_back(*std::move(pack));
  }
  return inputs;
}

// Reads every results file and maps it; the first bad file fails the whole scan.
absl::Status AddXccdfSources(const ScanRequest& request, const Catalog& catalog,
                             ScanReportBuilder& builder) {
  if (request.xccdf_results.empty()) return absl::OkStatus();
  absl::StatusOr<openscap::RuleMapping> mapping = openscap::RuleMapping::Builtin(catalog);
  if (!mapping.ok()) return mapping.status();
  for (const std::string& path : request.mappings) {
    if (absl::Status s = mapping->AddOperatorMappingFile(path); !s.ok()) return s;
  }
  const openscap::XccdfParseOptions options{.max_bytes = request.max_xccdf_mib << 20};
  for (const std::string& path : request.xccdf_results) {
    absl::StatusOr<openscap::XccdfResults> results = openscap::ReadXccdfResultsFile(path, options);
    if (!results.ok()) return results.status();
    builder.AddXccdf(path,
                     openscap::EvidenceFromXccdf(*results, *mapping, kMaxEvidenceDetailBytes));
  }
  return absl::OkStatus();
}

}  // namespace

CLI::App* AddScanCommand(CLI::App& app, ScanRequest& request) {
  CLI::App* scan = app.add_subcommand(
      "scan", "Run the checks once and/or read OpenSCAP results; print what would be sent");
  scan->add_option("--pack", request.packs,
                   "Check pack file (repeatable; 'builtin' is the built-in Debian pack)");
  scan->add_option("--root", request.root, "Directory the checks read as /")->capture_default_str();
  scan->add_option("--xccdf-results", request.xccdf_results,
                   "OpenSCAP XCCDF 1.2 results or ARF file (repeatable)");
  scan->add_option("--mapping", request.mappings,
                   "Rule -> outcome TSV file that adds or overrides mappings (repeatable)");
  scan->add_option("--asset-ig", request.asset_ig,
                   "Show only the outcomes that apply at IG1, IG2 or IG3");
  scan->add_option("--format", request.format, "text or json")->capture_default_str();
  scan->add_option("--max-xccdf-mib", request.max_xccdf_mib,
                   "Refuse results files larger than this")
      ->capture_default_str();
  return scan;
}

int RunScan(const ScanRequest& request, std::ostream& out, std::ostream& err) {
  const Catalog& catalog = Catalog::Builtin();
  absl::StatusOr<Inputs> inputs = LoadInputs(request, catalog);
  if (!inputs.ok()) {
    err << "postura-agent scan: " << inputs.status().message() << "\n";
    return 1;
  }
  ScanReportBuilder builder(catalog, inputs->group, kMaxEvidenceDetailBytes);
  // Results files first: a bad one stops the scan before any check runs.
  if (absl::Status s = AddXccdfSources(request, catalog, builder); !s.ok()) {
    err << "postura-agent scan: " << s.message() << "\n";
    return 1;
  }
  if (!inputs->packs.empty()) {
    CheckRunnerOptions options;
    options.root = request.root;
    CheckRunner runner(options, Clock::GetRealClock());
    for (const CheckPack& pack : inputs->packs) {
      builder.AddPackResults(pack.name, runner.Run(pack.checks));
    }
  }
  const ScanReport report = builder.Build();
  out << (request.format == "json" ? ScanReportJson(report) : ScanReportText(report));
  out.flush();
  return 0;
}

}  // namespace postura::agent
