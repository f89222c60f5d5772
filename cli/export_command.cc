#include "cli/export_command.h"

#include <memory>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/oscal/catalog_export.h"
#include "cli/output_file.h"
#include "cli/terminal_text.h"

namespace postura::cli {
namespace {

using Admin = v1::AdminService::Stub;
using Query = v1::QueryService::Stub;

// At most this many records share one instant of one outcome in the answer we search.
constexpr uint32_t kRecordsPerInstant = 100;

// The evidence log's record of `source` about `outcome_id` of `asset_id`; nullopt when
// the log no longer holds it (past its retention).
absl::StatusOr<std::optional<v1::StoredEvidence>> FindRecord(CommandContext& c,
                                                             const std::string& asset_id,
                                                             const std::string& outcome_id,
                                                             const v1::SourceEvidence& source) {
  v1::GetEvidenceHistoryRequest request;
  request.set_asset_id(asset_id);
  request.set_outcome_id(outcome_id);
  request.set_from_unix_nanos(source.observed_at_unix_nanos());
  request.set_to_unix_nanos(source.observed_at_unix_nanos() + 1);
  request.set_limit(kRecordsPerInstant);
  absl::StatusOr<v1::EvidenceHistory> history =
      c.collector.Call(c.collector.query(), &Query::GetEvidenceHistory, request);
  if (!history.ok()) return history.status();
  std::optional<v1::StoredEvidence> found;
  for (const v1::StoredEvidence& record : history->records()) {
    // The newest report of that source at that instant (a resent batch repeats it).
    if (record.agent_id() == source.agent_id() &&
        record.evidence().check_id() == source.check_id()) {
      found = record;
    }
  }
  return found;
}

absl::StatusOr<oscal::AssessedAsset> ReadAsset(CommandContext& c, const std::string& asset_id) {
  v1::GetAssetScoreRequest request;
  request.set_asset_id(asset_id);
  absl::StatusOr<v1::AssetScore> score =
      c.collector.Call(c.collector.query(), &Query::GetAssetScore, request);
  if (!score.ok()) return score.status();
  oscal::AssessedAsset asset;
  asset.score = *std::move(score);
  for (const v1::FunctionScore& function : asset.score.functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& outcome : category.outcomes()) {
        const v1::SourceEvidence* source = oscal::ObservedSource(outcome);
        if (source == nullptr) continue;
        absl::StatusOr<std::optional<v1::StoredEvidence>> record =
            FindRecord(c, asset_id, outcome.id(), *source);
        if (!record.ok()) return record.status();
        if (record->has_value()) asset.records[outcome.id()] = **record;
      }
    }
  }
  return asset;
}

// The organisation's tenant and the suppliers, when the token may read the registry (a
// supplier's may not: the document then names its parties by their ids).
absl::Status ReadTenants(CommandContext& c, oscal::AssessmentInput& input) {
  input.organization.set_id("org");
  absl::StatusOr<v1::ListTenantsResponse> tenants =
      c.collector.Call(c.collector.admin(), &Admin::ListTenants, v1::ListTenantsRequest());
  if (absl::IsPermissionDenied(tenants.status())) return absl::OkStatus();
  if (!tenants.ok()) return tenants.status();
  for (const v1::Tenant& tenant : tenants->tenants()) {
    if (tenant.id() == "org") {
      input.organization = tenant;
    } else if (tenant.kind() == v1::SUPPLIER) {
      input.suppliers.push_back(tenant);
    }
  }
  return absl::OkStatus();
}

// A supplier of the exported asset only: an asset's export lists no other supplier.
void KeepSuppliersOf(const oscal::AssessmentInput& input, std::vector<v1::Tenant>& suppliers) {
  std::vector<v1::Tenant> kept;
  for (const v1::Tenant& supplier : suppliers) {
    for (const oscal::AssessedAsset& asset : input.assets) {
      if (asset.score.summary().supplier_id() == supplier.id()) kept.push_back(supplier);
    }
  }
  suppliers = std::move(kept);
}

int WriteDocument(CommandContext& c, const oscal::Json& document, const std::string& output,
                  const std::string& what) {
  const std::string text = document.dump(2) + "\n";
  if (output.empty()) {
    c.out << text;
    return kExitOk;
  }
  if (absl::Status written = WriteOutputFile(output, text); !written.ok()) {
    return c.BadInput(written);
  }
  c.out << what << " written to " << TerminalSafe(output) << " (" << text.size() << " bytes).\n";
  return kExitOk;
}

struct OscalOptions {
  std::string asset_id;
  bool organization = false;
  std::string output;
};

int RunExportOscal(CommandContext& c, const OscalOptions& options) {
  absl::StatusOr<oscal::AssessmentInput> input =
      ReadAssessment(c, options.organization ? "" : options.asset_id);
  if (!input.ok()) return c.Fail(input.status());
  const oscal::Json document = oscal::AssessmentResultsDocument(c.catalog, *input);
  const oscal::Json& result = document["assessment-results"]["results"][0];
  const std::string what = absl::StrCat(
      "OSCAL assessment results of ", input->assets.size(),
      " asset(s): ", result.contains("observations") ? result["observations"].size() : 0,
      " observations, ", result.contains("findings") ? result["findings"].size() : 0, " findings,");
  return WriteDocument(c, document, options.output, what);
}

struct CatalogOptions {
  std::string profile;  // Empty: the catalog.
  std::string catalog_href;
  std::string output;
};

int RunExportCatalog(CommandContext& c, const CatalogOptions& options) {
  const absl::Time now = absl::Now();
  if (options.profile.empty()) {
    return WriteDocument(c, oscal::CatalogDocument(c.catalog, now), options.output,
                         "OSCAL catalog");
  }
  // The option's check has made it IG1, IG2 or IG3.
  const ImplementationGroup group = *ParseImplementationGroup(options.profile);
  const std::string href =
      options.catalog_href.empty() ? oscal::CatalogFileName(c.catalog) : options.catalog_href;
  return WriteDocument(c, oscal::ProfileDocument(c.catalog, group, href, now), options.output,
                       absl::StrCat("OSCAL profile of ", options.profile));
}

void AddOscalCommand(CLI::App* parent, CommandLine& line) {
  auto options = std::make_shared<OscalOptions>();
  CLI::App* command = parent->add_subcommand(
      "oscal",
      "OSCAL 1.1.2 assessment results (JSON) of an asset or the organisation: an observation "
      "per evidence item that decides a level, a finding per applicable outcome");
  CLI::Option* asset = command->add_option("--asset", options->asset_id, "The asset's id");
  CLI::Option* org =
      command->add_flag("--org", options->organization, "The whole organisation instead");
  asset->excludes(org);
  command->add_option("-o,--output", options->output, "Write the document to this file");
  command->callback([options, &line] {
    if (!options->organization && options->asset_id.empty()) {
      throw CLI::RequiredError("--asset ASSET or --org");
    }
    line.run = [options](CommandContext& c) { return RunExportOscal(c, *options); };
  });
}

void AddCatalogCommand(CLI::App* parent, CommandLine& line) {
  auto options = std::make_shared<CatalogOptions>();
  CLI::App* command = parent->add_subcommand(
      "oscal-catalog",
      "The expected-outcome catalog as an OSCAL 1.1.2 catalog (JSON), or with --profile the "
      "profile of one implementation group; needs no collector");
  command->add_option("--profile", options->profile, "IG1, IG2 or IG3: that group's profile")
      ->check(CLI::IsMember({"IG1", "IG2", "IG3"}));
  command->add_option("--catalog-href", options->catalog_href,
                      "Where the profile imports the catalog from (default: "
                      "uleo-v1-catalog.json, beside the profile)");
  command->add_option("-o,--output", options->output, "Write the document to this file");
  OnSelected(command, line, [options](CommandContext& c) { return RunExportCatalog(c, *options); });
}

}  // namespace

absl::StatusOr<oscal::AssessmentInput> ReadAssessment(CommandContext& c,
                                                      const std::string& asset_id) {
  oscal::AssessmentInput input;
  input.generated_at = absl::Now();
  input.collector_address = c.collector.address();
  input.scope = asset_id.empty() ? oscal::kOrganizationScope : asset_id;
  std::vector<std::string> ids = {asset_id};
  if (asset_id.empty()) {
    absl::StatusOr<v1::ListAssetScoresResponse> list = c.collector.Call(
        c.collector.query(), &Query::ListAssetScores, v1::ListAssetScoresRequest());
    if (!list.ok()) return list.status();
    ids.clear();
    for (const v1::AssetSummary& summary : list->assets()) ids.push_back(summary.asset_id());
  }
  for (const std::string& id : ids) {
    absl::StatusOr<oscal::AssessedAsset> asset = ReadAsset(c, id);
    if (!asset.ok()) return asset.status();
    input.assets.push_back(*std::move(asset));
  }
  if (absl::Status read = ReadTenants(c, input); !read.ok()) return read;
  if (!asset_id.empty()) KeepSuppliersOf(input, input.suppliers);
  return input;
}

void AddExportCommand(CLI::App& app, CommandLine& line) {
  CLI::App* command = app.add_subcommand(
      "export", "The posture in OSCAL 1.1.2 for auditors' tools (docs/oscal.md)");
  command->require_subcommand(1);
  AddOscalCommand(command, line);
  AddCatalogCommand(command, line);
}

}  // namespace postura::cli
