#ifndef POSTURA_COLLECTOR_REGISTRY_REGISTRY_RULES_H_
#define POSTURA_COLLECTOR_REGISTRY_REGISTRY_RULES_H_

// The rules a registry record must meet on its own, whatever else is registered: valid
// ids, names of 1 to 256 bytes, known kinds and groups, short dependency lists without
// repeats. Registry checks every change with them before it takes its lock (the rules
// that span records are RegistryModel's); services check ids from requests with
// IsValidId. The messages name the record and are meant for the operator.
//
// Threading: pure functions; any thread.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/model/implementation_group.h"
#include "postura/v1/admin.pb.h"

namespace postura::collector {

// The id of the organisation's own tenant, which always exists.
inline constexpr absl::string_view kOrganizationTenantId = "org";

// True if `id` is a valid registry id: 1 to 128 characters from [A-Za-z0-9._-].
bool IsValidId(absl::string_view id);

// `id` as messages show it: cut short, since a hostile id may be long.
absl::string_view ShownId(absl::string_view id);

// InvalidArgument for a bad id, a name that is not 1 to 256 bytes, an unspecified kind,
// or "org" with a kind other than ORGANIZATION.
absl::Status CheckTenantFields(const v1::Tenant& tenant);
// InvalidArgument for a bad id or a name that is not 1 to 256 bytes.
absl::Status CheckDepartmentFields(const v1::Department& department);
// InvalidArgument for a bad id, a name that is not 1 to 256 bytes, a missing
// implementation group, more than 64 dependencies, or a dependency on itself or listed
// twice.
absl::Status CheckAssetFields(const v1::Asset& asset);
// InvalidArgument for a bad id.
absl::Status CheckAgentFields(const v1::Agent& agent);

// The tenant an agent reports for: its own, or "org" if it names none.
std::string AgentTenant(const v1::Agent& agent);
// What is stored of an agent: its id, bindings and tenant (AgentTenant), without the
// read-only counters.
v1::Agent AgentRegistration(const v1::Agent& agent);
// The asset's implementation group. REQUIRES: CheckAssetFields(asset) is OK.
ImplementationGroup AssetGroup(const v1::Asset& asset);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REGISTRY_REGISTRY_RULES_H_
