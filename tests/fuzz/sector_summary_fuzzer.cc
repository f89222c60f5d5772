// Fuzzes what a sector collector takes from its stream (issue 20, item 6): an input is
// first a message off the stream on organisation "health"'s subject, which must be
// refused (nobody but health holds its key), never crash; then, parsed as a summary and
// signed with health's key, it must open exactly when it is health's and within bounds
// (CheckSummary), and what opens must keep the sector's figures within [0, 1].

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/time/time.h"
#include "collector/sector/sector_view.h"
#include "collector/sector/signed_summary.h"
#include "common/model/catalog.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/p256_signature.h"

namespace postura::collector {
namespace {

struct Health {
  P256Signer key = P256Signer::FromKeyPem(NewAgentKeyPem().value(), "health's key").value();
  SectorMembers members{
      {"health", P256Verifier::FromPublicKeyPem(key.PublicKeyPem().value(), "health").value()}};
};

const Health& TheHealthAuthority() {
  static const Health* const health = new Health();
  return *health;
}

bool InUnitRange(double figure) { return figure >= 0 && figure <= 1; }

void CheckView(const v1::SectorAssetSummary& summary, size_t outcomes) {
  SectorView view(outcomes, {.degraded_min_organisations = 1, .degraded_window = absl::Hours(1)});
  if (!view.Apply(summary)) std::abort();  // The first summary of an asset is always taken.
  const std::optional<OrganisationStanding> standing = view.Organisation("health");
  if (!standing || !InUnitRange(standing->index) || !InUnitRange(standing->coverage)) {
    std::abort();
  }
  if (!InUnitRange(view.Index())) std::abort();
  for (size_t i = 0; i < outcomes; ++i) {
    const Spread spread = view.OutcomeSpread(static_cast<int>(i));
    if (!InUnitRange(spread.mean) || spread.min > spread.median || spread.median > spread.max) {
      std::abort();
    }
  }
  view.PositionOf("health");
  view.Degraded(absl::FromUnixNanos(summary.published_at_unix_nanos()));
}

}  // namespace
}  // namespace postura::collector

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postura::collector;
  const Health& health = TheHealthAuthority();
  const size_t outcomes = postura::Catalog::Builtin().outcomes().size();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  if (OpenSummary(bytes, "health", health.members, outcomes).ok()) std::abort();

  postura::v1::SectorAssetSummary summary;
  if (!summary.ParseFromString(bytes)) return 0;
  const std::string sealed = SealSummary(summary, health.key).value();
  absl::StatusOr<postura::v1::SectorAssetSummary> opened =
      OpenSummary(sealed, "health", health.members, outcomes);
  const bool acceptable = summary.organisation_id() == "health" &&
                          sealed.size() <= kMaxSignedSummaryBytes &&
                          CheckSummary(summary, outcomes).ok();
  if (opened.ok() != acceptable) std::abort();
  if (opened.ok() && !opened->removed()) CheckView(*opened, outcomes);
  return 0;
}
