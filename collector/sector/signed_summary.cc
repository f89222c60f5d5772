#include "collector/sector/signed_summary.h"

#include <openssl/sha.h>

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace postura::collector {
namespace {

constexpr absl::string_view kPseudonymTag = "postura.sector.asset.v1";
constexpr unsigned kMaxLevelByte = 4;  // DLI_100.

// OK if `figure` is a number in [0, 1].
absl::Status CheckShare(double figure, absl::string_view name) {
  if (std::isfinite(figure) && figure >= 0 && figure <= 1) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("the summary's ", name, " is ", figure, "; it must lie in [0, 1]"));
}

absl::Status CheckFigures(const v1::SectorAssetSummary& summary, size_t outcome_count) {
  if (summary.implementation_group() < v1::IG1 || summary.implementation_group() > v1::IG3) {
    return absl::InvalidArgumentError("the summary has no implementation group (IG1 to IG3)");
  }
  for (auto [figure, name] :
       {std::pair{summary.value(), "value"}, std::pair{summary.adjusted_value(), "adjusted value"},
        std::pair{summary.coverage(), "coverage"}}) {
    if (absl::Status share = CheckShare(figure, name); !share.ok()) return share;
  }
  if (summary.adjusted_value() > summary.value()) {
    return absl::InvalidArgumentError(absl::StrCat("the summary's adjusted value ",
                                                   summary.adjusted_value(), " is above its value ",
                                                   summary.value()));
  }
  const std::string& levels = summary.outcome_levels();
  if (levels.size() != outcome_count) {
    return absl::InvalidArgumentError(absl::StrCat("the summary has ", levels.size(),
                                                   " outcome levels; this sector's catalog has ",
                                                   outcome_count, " outcomes"));
  }
  for (size_t i = 0; i < levels.size(); ++i) {
    if (static_cast<unsigned char>(levels[i]) > kMaxLevelByte) {
      return absl::InvalidArgumentError(
          absl::StrCat("outcome level ", static_cast<unsigned char>(levels[i]), " at index ", i,
                       " of the summary; levels are 0 (not applicable) to 4 (DLI_100)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsSectorName(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

std::string AssetPseudonym(absl::string_view organisation_id, absl::string_view asset_id) {
  const std::string text = absl::StrCat(kPseudonymTag, organisation_id, "/", asset_id);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 16));
}

absl::Status CheckSummary(const v1::SectorAssetSummary& summary, size_t outcome_count) {
  if (!IsSectorName(summary.organisation_id())) {
    return absl::InvalidArgumentError(absl::StrCat("the summary's organisation id '",
                                                   absl::CHexEscape(summary.organisation_id()),
                                                   "' is not 1 to 64 of A-Z, a-z, 0-9, - and _"));
  }
  if (!IsSectorName(summary.asset_ref())) {
    return absl::InvalidArgumentError(absl::StrCat("the summary's asset reference '",
                                                   absl::CHexEscape(summary.asset_ref()),
                                                   "' is not 1 to 64 of A-Z, a-z, 0-9, - and _"));
  }
  if (summary.version() == 0) {
    return absl::InvalidArgumentError("the summary has no version (versions start at 1)");
  }
  if (summary.published_at_unix_nanos() <= 0) {
    return absl::InvalidArgumentError("the summary has no publication time");
  }
  if (summary.removed()) return absl::OkStatus();
  return CheckFigures(summary, outcome_count);
}

absl::StatusOr<std::string> SealSummary(const v1::SectorAssetSummary& summary,
                                        const P256Signer& key) {
  v1::SignedSectorSummary sealed;
  if (!summary.SerializeToString(sealed.mutable_summary())) {
    return absl::InternalError("cannot serialize the summary");
  }
  absl::StatusOr<std::string> signature = key.Sign(sealed.summary());
  if (!signature.ok()) return signature.status();
  sealed.set_signature(*std::move(signature));
  return sealed.SerializeAsString();
}

absl::StatusOr<v1::SectorAssetSummary> OpenSummary(absl::string_view message,
                                                   absl::string_view publisher,
                                                   const SectorMembers& members,
                                                   size_t outcome_count) {
  if (message.size() > kMaxSignedSummaryBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a summary of ", message.size(), " bytes; the limit is ", kMaxSignedSummaryBytes));
  }
  auto member = members.find(publisher);
  if (member == members.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat("'", absl::CHexEscape(publisher), "' is not an organisation of this sector"));
  }
  v1::SignedSectorSummary sealed;
  if (!sealed.ParseFromArray(message.data(), static_cast<int>(message.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("a message from '", publisher, "' is not a signed summary"));
  }
  if (!member->second.Matches(sealed.summary(), sealed.signature())) {
    return absl::UnauthenticatedError(
        absl::StrCat("a summary on the subject of '", publisher, "' is not signed by its key"));
  }
  v1::SectorAssetSummary summary;
  if (!summary.ParseFromString(sealed.summary())) {
    return absl::InvalidArgumentError(
        absl::StrCat("a signed summary from '", publisher, "' does not parse"));
  }
  if (summary.organisation_id() != publisher) {
    return absl::PermissionDeniedError(absl::StrCat(
        "'", publisher, "' published a summary for organisation '",
        absl::CHexEscape(summary.organisation_id()), "'; an organisation publishes only its own"));
  }
  if (absl::Status checked = CheckSummary(summary, outcome_count); !checked.ok()) return checked;
  return summary;
}

}  // namespace postura::collector
