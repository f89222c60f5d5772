#include "collector/registry/registry_records.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collector/store/store_keys.h"
#include "common/transport/target_proto.h"

namespace postura::collector {
namespace {

// Parses each registry record under `prefix` as a `Record` and passes it, with the id in
// its key, to `use`. DataLoss for a record that does not parse.
template <typename Record, typename Use>
absl::Status ForEachStored(const EvidenceStore& store, absl::string_view prefix, Use use) {
  return store.ForEachRegistryRecord(prefix, [&](absl::string_view id, absl::string_view value) {
    Record record;
    if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError(absl::StrCat("corrupt registry record ", prefix, ShownId(id)));
    }
    return use(id, record);
  });
}

absl::Status KeyMismatch(absl::string_view prefix, absl::string_view id) {
  return absl::DataLossError(
      absl::StrCat("registry record ", prefix, ShownId(id), " holds another record's id"));
}

// Resolves the stored targets of the asset `id` and puts them into `model`.
absl::Status LoadTargets(const Catalog& catalog, absl::string_view id,
                         const v1::PutTargetsRequest& record, RegistryModel& model) {
  auto it = model.assets().find(id);
  if (it == model.assets().end()) {
    return absl::DataLossError(absl::StrCat("stored targets of missing asset ", ShownId(id)));
  }
  std::vector<Target> targets;
  for (int i = 0; i < record.targets_size(); ++i) {
    absl::StatusOr<Target> target = TargetFromProto(catalog, record.targets(i));
    if (!target.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("asset ", id, ": stored target ", i, " does not fit catalog ",
                       catalog.name(), " v", catalog.version(), ": ", target.status().message()));
    }
    targets.push_back(*target);
  }
  if (absl::Status valid = ValidateTargets(catalog, AssetGroup(it->second.asset), targets);
      !valid.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("asset ", id, ": stored targets do not fit catalog ", catalog.name(), " v",
                     catalog.version(), ": ", valid.message()));
  }
  model.SetTargets(id, {record.targets().begin(), record.targets().end()}, std::move(targets));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RegistryModel> ReadRegistryRecords(const EvidenceStore& store,
                                                  const Catalog& catalog) {
  RegistryModel model;
  absl::Status s = ForEachStored<v1::Tenant>(store, kTenantKeyPrefix,
                                             [&](absl::string_view id, const v1::Tenant& tenant) {
                                               if (tenant.id() != id)
                                                 return KeyMismatch(kTenantKeyPrefix, id);
                                               model.PutTenant(tenant);
                                               return absl::OkStatus();
                                             });
  if (!s.ok()) return s;
  s = ForEachStored<v1::Department>(store, kDepartmentKeyPrefix,
                                    [&](absl::string_view id, const v1::Department& department) {
                                      if (department.id() != id)
                                        return KeyMismatch(kDepartmentKeyPrefix, id);
                                      model.PutDepartment(department);
                                      return absl::OkStatus();
                                    });
  if (!s.ok()) return s;
  s = ForEachStored<v1::Asset>(store, kAssetKeyPrefix,
                               [&](absl::string_view id, const v1::Asset& asset) {
                                 if (asset.id() != id) return KeyMismatch(kAssetKeyPrefix, id);
                                 model.PutAsset(asset);
                                 return absl::OkStatus();
                               });
  if (!s.ok()) return s;
  s = ForEachStored<v1::PutTargetsRequest>(
      store, kTargetsKeyPrefix, [&](absl::string_view id, const v1::PutTargetsRequest& record) {
        return LoadTargets(catalog, id, record, model);
      });
  if (!s.ok()) return s;
  s = ForEachStored<v1::Agent>(store, kAgentKeyPrefix,
                               [&](absl::string_view id, const v1::Agent& agent) {
                                 if (agent.id() != id) return KeyMismatch(kAgentKeyPrefix, id);
                                 model.PutAgent(agent);
                                 return absl::OkStatus();
                               });
  if (!s.ok()) return s;
  return model;
}

}  // namespace postura::collector
