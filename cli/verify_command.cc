#include "cli/verify_command.h"

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/time_text.h"
#include "common/transport/evidence_proof.h"
#include "common/transport/private_file.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace postura::cli {
namespace {

// A proof file larger than this is refused rather than read into memory.
constexpr std::streamoff kMaxProofFileBytes = std::streamoff{2} << 30;
// Failed or unsigned items listed in the text output, each; the counts are always whole.
constexpr size_t kMaxListedItems = 50;
// An export of the organisation's evidence can take a while.
constexpr absl::Duration kExportTimeout = absl::Minutes(5);
// Saved proofs: the owner and its group may read them, as reports.
constexpr mode_t kProofFileMode = 0640;

absl::StatusOr<std::string> ReadWholeFile(const std::string& path, absl::string_view flag) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) return absl::NotFoundError(absl::StrCat(flag, ": cannot read ", path));
  const std::streamoff size = file.tellg();
  if (size > kMaxProofFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": ", path, " is larger than 2 GiB"));
  }
  std::string text(static_cast<size_t>(size), '\0');
  file.seekg(0);
  if (!file.read(text.data(), size)) {
    return absl::UnavailableError(absl::StrCat(flag, ": cannot read ", path));
  }
  return text;
}

absl::StatusOr<v1::EvidenceProof> ReadProofFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadWholeFile(path, "--proof");
  if (!text.ok()) return text.status();
  v1::EvidenceProof proof;
  if (auto parsed = google::protobuf::util::JsonStringToMessage(*text, &proof); !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--proof: ", path, " is not an evidence proof: ", std::string(parsed.message())));
  }
  return proof;
}

absl::Status SaveProof(const v1::EvidenceProof& proof, const std::string& path) {
  std::string json;
  if (auto printed = google::protobuf::util::MessageToJsonString(proof, &json); !printed.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot encode the proof: ", std::string(printed.message())));
  }
  return WriteFileAtomically(path, json, kProofFileMode);
}

absl::StatusOr<v1::EvidenceProof> ExportProof(CommandContext& c, const VerifyOptions& options,
                                              int64_t since_unix_nanos) {
  v1::ExportEvidenceProofRequest request;
  request.set_asset_id(options.asset_id);
  request.set_since_unix_nanos(since_unix_nanos);
  return c.collector.Call(c.collector.query(), &v1::QueryService::Stub::ExportEvidenceProof,
                          request, kExportTimeout);
}

std::string Where(const v1::StoredEvidence& item) {
  return absl::StrCat(item.evidence().asset_id(), " ", item.evidence().outcome_id(), " (agent ",
                      item.agent_id(), ", batch ", item.sequence(), ", item ", item.index(), ")");
}

void PrintText(CommandContext& c, const v1::EvidenceProof& proof, const ProofReport& report,
               bool own_ca) {
  c.out << "Evidence items checked: " << report.verified + report.unsigned_items + report.failed
        << "\n  verified  " << report.verified << "\n  unsigned  " << report.unsigned_items
        << "\n  failed    " << report.failed << "\n";
  if (own_ca) {
    c.out << "Checked against the agent CA the collector named (pass --ca with your own copy "
             "to trust nothing the collector says).\n";
  }
  if (report.ca_differs) c.out << "The collector named another agent CA than --ca.\n";
  size_t listed = 0;
  for (const ItemFinding& finding : report.findings) {
    if (finding.verdict != ItemVerdict::kFailed || listed++ == kMaxListedItems) continue;
    c.out << "FAILED " << Where(proof.items(finding.index)) << ": " << finding.reason << "\n";
  }
  if (report.failed > static_cast<int>(kMaxListedItems)) {
    c.out << "... and " << report.failed - static_cast<int>(kMaxListedItems)
          << " more failed items (--format json lists them all).\n";
  }
}

void PrintJson(CommandContext& c, const v1::EvidenceProof& proof, const ProofReport& report) {
  nlohmann::json findings = nlohmann::json::array();
  for (const ItemFinding& finding : report.findings) {
    const v1::StoredEvidence& item = proof.items(finding.index);
    findings.push_back(
        {{"assetId", item.evidence().asset_id()},
         {"outcomeId", item.evidence().outcome_id()},
         {"agentId", item.agent_id()},
         {"sequence", item.sequence()},
         {"index", item.index()},
         {"verdict", finding.verdict == ItemVerdict::kFailed ? "failed" : "unsigned"},
         {"reason", finding.reason}});
  }
  nlohmann::json answer = {{"verified", report.verified},
                           {"unsigned", report.unsigned_items},
                           {"failed", report.failed},
                           {"caDiffers", report.ca_differs},
                           {"findings", std::move(findings)}};
  c.out << answer.dump(2) << "\n";
}

}  // namespace

int RunVerify(CommandContext& c, const VerifyOptions& options) {
  absl::Time since = absl::InfinitePast();
  if (!options.since.empty()) {
    absl::StatusOr<absl::Time> parsed = ParseInstant("--since", options.since, absl::Now());
    if (!parsed.ok()) return c.BadInput(parsed.status());
    since = *parsed;
  }
  std::string ca_pem;
  if (!options.ca_file.empty()) {
    absl::StatusOr<std::string> read = ReadWholeFile(options.ca_file, "--ca");
    if (!read.ok()) return c.BadInput(read.status());
    ca_pem = *std::move(read);
  }
  absl::StatusOr<v1::EvidenceProof> proof =
      options.proof_file.empty()
          ? ExportProof(c, options, since == absl::InfinitePast() ? 0 : absl::ToUnixNanos(since))
          : ReadProofFile(options.proof_file);
  if (!proof.ok()) {
    return options.proof_file.empty() ? c.Fail(proof.status()) : c.BadInput(proof.status());
  }
  if (!options.save_file.empty()) {
    if (absl::Status saved = SaveProof(*proof, options.save_file); !saved.ok()) {
      return c.BadInput(saved);
    }
  }
  absl::StatusOr<ProofReport> report = VerifyEvidenceProof(*proof, ca_pem, since);
  if (!report.ok()) return c.BadInput(report.status());
  if (c.format == OutputFormat::kJson) {
    PrintJson(c, *proof, *report);
  } else {
    PrintText(c, *proof, *report, ca_pem.empty());
  }
  return report->failed > 0 ? kExitVerificationFailed : kExitOk;
}

void AddVerifyCommand(CLI::App& app, CommandLine& line) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* command =
      app.get_subcommand("evidence")
          ->add_subcommand(
              "verify",
              "Prove that stored evidence came unchanged from the agents named: each item against "
              "its agent's signed seal and certificate (docs/security.md)");
  CLI::Option* asset = command->add_option("asset", options->asset_id, "The asset's id");
  CLI::Option* org =
      command->add_flag("--org", options->organization, "Every asset you may see instead");
  CLI::Option* proof = command->add_option("--proof", options->proof_file,
                                           "Check this saved proof (--save) instead of asking");
  asset->excludes(org);
  proof->excludes(asset)->excludes(org);
  command->add_option("--since", options->since,
                      "Only items received at or after: RFC 3339 or a duration back (7d)");
  command->add_option("--ca", options->ca_file,
                      "PEM of the agent CA you trust (default: the one the proof names)");
  command->add_option("--save", options->save_file, "Also keep the exported proof here (JSON)")
      ->excludes(proof);
  AddFormatOption(command, line);
  command->callback([options, &line] {
    if (options->proof_file.empty() && !options->organization && options->asset_id.empty()) {
      throw CLI::RequiredError("ASSET, --org or --proof FILE");
    }
    line.run = [options](CommandContext& c) { return RunVerify(c, *options); };
  });
}

}  // namespace postura::cli
