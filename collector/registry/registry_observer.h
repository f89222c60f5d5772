#ifndef POSTURA_COLLECTOR_REGISTRY_REGISTRY_OBSERVER_H_
#define POSTURA_COLLECTOR_REGISTRY_REGISTRY_OBSERVER_H_

#include <string>
#include <vector>

#include "common/model/target.h"
#include "postura/v1/admin.pb.h"

namespace postura::collector {

// Learns of every change to the registry's assets after it is durable, in the order the
// changes happened. Calls come under the registry's lock: an observer must be quick and
// must not call back into the registry.
class RegistryObserver {
 public:
  virtual ~RegistryObserver() = default;

  // The asset was created, or its fields, dependencies or targets changed. Its department,
  // supplier and dependencies exist and have been announced before it; `targets` are
  // valid for its implementation group.
  virtual void OnAssetPut(const v1::Asset& asset, const std::vector<Target>& targets) = 0;

  // The asset was deleted (no other asset depends on it any more).
  virtual void OnAssetDeleted(const std::string& asset_id) = 0;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REGISTRY_REGISTRY_OBSERVER_H_
