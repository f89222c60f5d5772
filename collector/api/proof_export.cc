#include "collector/api/proof_export.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collector/registry/registry_rules.h"

namespace postura::collector {
namespace {

absl::Status CheckRequest(const v1::ExportEvidenceProofRequest& request) {
  if (!request.asset_id().empty()) {
    if (!IsValidId(request.asset_id())) {
      return absl::InvalidArgumentError(
          "asset_id must be 1 to 128 characters from A-Z a-z 0-9 . _ -");
    }
  }
  if (request.since_unix_nanos() < 0) {
    return absl::InvalidArgumentError("since_unix_nanos must be >= 0");
  }
  if (request.limit() > kMaxProofItems) {
    return absl::InvalidArgumentError(absl::StrCat("limit must be at most ", kMaxProofItems));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::EvidenceProof> ProofExporter::Export(
    const Principal& principal, const v1::ExportEvidenceProofRequest& request) const {
  if (absl::Status valid = CheckRequest(request); !valid.ok()) return valid;
  std::vector<std::string> assets;
  if (!request.asset_id().empty()) {
    if (absl::Status visible = CheckAssetVisible(principal, registry_, request.asset_id());
        !visible.ok()) {
      return visible;
    }
    assets.push_back(request.asset_id());
  } else {
    for (const v1::Asset& asset : registry_.ListAssets()) {
      if (MaySee(principal, asset)) assets.push_back(asset.id());
    }
  }
  const uint32_t limit = request.limit() == 0 ? kDefaultProofItems : request.limit();
  v1::EvidenceProof proof;
  std::set<std::pair<std::string, uint64_t>> batches;
  bool too_many = false;  // An item matched past the limit.
  for (const std::string& asset : assets) {
    absl::Status read = store_.ForEachAssetEvidence(asset, [&](const v1::StoredEvidence& item) {
      if (too_many || item.received_at_unix_nanos() < request.since_unix_nanos()) return;
      if (static_cast<uint32_t>(proof.items_size()) >= limit) {
        too_many = true;
        return;
      }
      batches.emplace(item.agent_id(), item.sequence());
      *proof.add_items() = item;
    });
    if (!read.ok()) return read;
    if (too_many) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "more than ", limit, " evidence items match: narrow the export with since or an asset"));
    }
  }
  std::set<std::string> serials;
  for (const auto& [agent, sequence] : batches) {
    absl::StatusOr<std::optional<v1::BatchSealRecord>> seal = store_.ReadSeal(agent, sequence);
    if (!seal.ok()) return seal.status();
    if (!seal->has_value()) continue;
    serials.insert((*seal)->certificate_serial());
    *proof.add_seals() = **std::move(seal);
  }
  for (const std::string& serial : serials) {
    absl::StatusOr<std::optional<v1::AgentCertificateRecord>> certificate =
        store_.ReadCertificate(serial);
    if (!certificate.ok()) return certificate.status();
    if (certificate->has_value())
      *proof.add_agent_certificates_pem() = (*certificate)->certificate_pem();
  }
  proof.set_agent_ca_certificate_pem(agent_ca_certificate_pem_);
  proof.set_exported_at_unix_nanos(absl::ToUnixNanos(absl::Now()));
  return proof;
}

}  // namespace postura::collector
