#ifndef POSTURA_CLI_REGISTRY_TEXT_H_
#define POSTURA_CLI_REGISTRY_TEXT_H_

#include <string>

#include "postura/v1/admin.pb.h"

namespace postura::cli {

// Tables of the collector's registry for people, in the collector's order, with a header
// line counting the records (and a hint of how to add one when there are none).
std::string TenantsText(const v1::ListTenantsResponse& tenants);
std::string DepartmentsText(const v1::ListDepartmentsResponse& departments);
std::string AssetsText(const v1::ListAssetsResponse& assets);
std::string AgentsText(const v1::ListAgentsResponse& agents);
// An asset's targets, one expression per line with the scope kind.
std::string TargetsText(const std::string& asset_id, const v1::GetTargetsResponse& targets);

// One asset's record, a field per line.
std::string AssetRecordText(const v1::Asset& asset);

}  // namespace postura::cli

#endif  // POSTURA_CLI_REGISTRY_TEXT_H_
