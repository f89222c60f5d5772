#include "agent/openscap_evidence.h"

#include "agent/delivery/wire_level.h"
#include "common/base/utf8.h"

namespace postura::agent {

std::vector<v1::Evidence> EvidenceFromOpenscap(const openscap::XccdfEvidence& evidence,
                                               const std::vector<std::string>& assets,
                                               absl::Time observed_at, absl::Duration valid_for) {
  std::vector<v1::Evidence> items;
  for (const openscap::OutcomeEvidence& outcome : evidence.outcomes) {
    if (!outcome.level) continue;
    for (const std::string& asset : assets) {
      v1::Evidence& item = items.emplace_back();
      item.set_asset_id(asset);
      item.set_outcome_id(outcome.outcome);
      item.set_level(ToWireLevel(*outcome.level));
      item.set_observed_at_unix_nanos(absl::ToUnixNanos(observed_at));
      item.set_expires_at_unix_nanos(absl::ToUnixNanos(observed_at + valid_for));
      item.set_check_id(evidence.source);
      item.set_kind(v1::OBSERVED);
      item.set_detail(ValidUtf8Prefix(outcome.detail, kMaxEvidenceDetailBytes));
    }
  }
  return items;
}

}  // namespace postura::agent
