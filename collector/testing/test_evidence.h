#ifndef POSTURA_COLLECTOR_TESTING_TEST_EVIDENCE_H_
#define POSTURA_COLLECTOR_TESTING_TEST_EVIDENCE_H_

#include <string>

#include "absl/time/time.h"
#include "postura/v1/admin.pb.h"
#include "postura/v1/evidence.pb.h"

namespace postura::collector {

// A valid evidence item for tests: observed at `observed`, expiring an hour later.
inline v1::Evidence TestEvidence(const std::string& asset, const std::string& outcome,
                                 absl::Time observed, v1::Level level = v1::DLI_67) {
  v1::Evidence item;
  item.set_asset_id(asset);
  item.set_outcome_id(outcome);
  item.set_level(level);
  item.set_observed_at_unix_nanos(absl::ToUnixNanos(observed));
  item.set_expires_at_unix_nanos(absl::ToUnixNanos(observed + absl::Hours(1)));
  item.set_check_id("test.check");
  item.set_kind(v1::OBSERVED);
  item.set_detail("found as expected");
  return item;
}

inline v1::Asset TestAsset(const std::string& id, v1::ImplementationGroup group = v1::IG2) {
  v1::Asset asset;
  asset.set_id(id);
  asset.set_name("Asset " + id);
  asset.set_implementation_group(group);
  return asset;
}

inline v1::Agent TestAgent(const std::string& id, std::initializer_list<std::string> assets) {
  v1::Agent agent;
  agent.set_id(id);
  for (const std::string& asset : assets) agent.add_asset_ids(asset);
  return agent;
}

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_TESTING_TEST_EVIDENCE_H_
