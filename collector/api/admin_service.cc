#include "collector/api/admin_service.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/transport/grpc_status.h"

namespace postura::collector {

grpc::ServerUnaryReactor* AdminService::PutTenant(grpc::CallbackServerContext* context,
                                                  const v1::PutTenantRequest* request,
                                                  v1::PutTenantResponse* /*response*/) {
  return AnswerIfAdmitted(gate_, context, Permission::kChangeRegistry,
                          [&](const Principal&) { return registry_.PutTenant(request->tenant()); });
}

grpc::ServerUnaryReactor* AdminService::DeleteTenant(grpc::CallbackServerContext* context,
                                                     const v1::DeleteTenantRequest* request,
                                                     v1::DeleteTenantResponse* /*response*/) {
  return AnswerIfAdmitted(gate_, context, Permission::kChangeRegistry, [&](const Principal&) {
    absl::Status deleted = registry_.DeleteTenant(request->tenant_id());
    if (!deleted.ok()) return deleted;
    return credentials_.RevokeTenant(request->tenant_id()).status();
  });
}

grpc::ServerUnaryReactor* AdminService::ListTenants(grpc::CallbackServerContext* context,
                                                    const v1::ListTenantsRequest* /*request*/,
                                                    v1::ListTenantsResponse* response) {
  return AnswerIfAdmitted(gate_, context, Permission::kReadRegistry, [&](const Principal&) {
    for (v1::Tenant& tenant : registry_.ListTenants()) *response->add_tenants() = std::move(tenant);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminService::PutDepartment(grpc::CallbackServerContext* context,
                                                      const v1::PutDepartmentRequest* request,
                                                      v1::PutDepartmentResponse* /*response*/) {
  return AnswerIfAdmitted(gate_, context, Permission::kChangeRegistry, [&](const Principal&) {
    return registry_.PutDepartment(request->department());
  });
}

grpc::ServerUnaryReactor* AdminService::DeleteDepartment(
    grpc::CallbackServerContext* context, const v1::DeleteDepartmentRequest* request,
    v1::DeleteDepartmentResponse* /*response*/) {
  return AnswerIfAdmitted(gate_, context, Permission::kChangeRegistry, [&](const Principal&) {
    return registry_.DeleteDepartment(request->department_id());
  });
}

grpc::ServerUnaryReactor* AdminService::ListDepartments(
    grpc::CallbackServerContext* context, const v1::ListDepartmentsRequest* /*request*/,
    v1::ListDepartmentsResponse* response) {
  return AnswerIfAdmitted(gate_, context, Permission::kReadRegistry, [&](const Principal&) {
    for (v1::Department& department : registry_.ListDepartments()) {
      *response->add_departments() = std::move(department);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminService::PutTargets(grpc::CallbackServerContext* context,
                                                   const v1::PutTargetsRequest* request,
                                                   v1::PutTargetsResponse* /*response*/) {
  const std::vector<v1::Target> targets(request->targets().begin(), request->targets().end());
  return AnswerIfAdmitted(gate_, context, Permission::kChangeRegistry, [&](const Principal&) {
    return registry_.PutTargets(request->asset_id(), targets);
  });
}

grpc::ServerUnaryReactor* AdminService::GetTargets(grpc::CallbackServerContext* context,
                                                   const v1::GetTargetsRequest* request,
                                                   v1::GetTargetsResponse* response) {
  return AnswerIfAdmitted(gate_, context, Permission::kReadScores, [&](const Principal& principal) {
    if (absl::Status visible = CheckAssetVisible(principal, registry_, request->asset_id());
        !visible.ok()) {
      return visible;
    }
    absl::StatusOr<std::vector<v1::Target>> targets = registry_.GetTargets(request->asset_id());
    if (!targets.ok()) return targets.status();
    for (v1::Target& target : *targets) *response->add_targets() = std::move(target);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminService::PutAsset(grpc::CallbackServerContext* context,
                                                 const v1::PutAssetRequest* request,
                                                 v1::PutAssetResponse* /*response*/) {
  return AnswerIfAdmitted(gate_, context, Permission::kChangeRegistry,
                          [&](const Principal&) { return registry_.PutAsset(request->asset()); });
}

grpc::ServerUnaryReactor* AdminService::DeleteAsset(grpc::CallbackServerContext* context,
                                                    const v1::DeleteAssetRequest* request,
                                                    v1::DeleteAssetResponse* /*response*/) {
  return AnswerIfAdmitted(gate_, context, Permission::kChangeRegistry, [&](const Principal&) {
    return registry_.DeleteAsset(request->asset_id());
  });
}

grpc::ServerUnaryReactor* AdminService::ListAssets(grpc::CallbackServerContext* context,
                                                   const v1::ListAssetsRequest* /*request*/,
                                                   v1::ListAssetsResponse* response) {
  return AnswerIfAdmitted(gate_, context, Permission::kReadScores, [&](const Principal& principal) {
    for (v1::Asset& asset : registry_.ListAssets()) {
      if (MaySee(principal, asset)) *response->add_assets() = std::move(asset);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminService::PutAgent(grpc::CallbackServerContext* context,
                                                 const v1::PutAgentRequest* request,
                                                 v1::PutAgentResponse* /*response*/) {
  return AnswerIfAdmitted(gate_, context, Permission::kChangeRegistry,
                          [&](const Principal&) { return registry_.PutAgent(request->agent()); });
}

grpc::ServerUnaryReactor* AdminService::DeleteAgent(grpc::CallbackServerContext* context,
                                                    const v1::DeleteAgentRequest* request,
                                                    v1::DeleteAgentResponse* /*response*/) {
  return AnswerIfAdmitted(gate_, context, Permission::kChangeRegistry, [&](const Principal&) {
    absl::Status deleted = registry_.DeleteAgent(request->agent_id());
    if (!deleted.ok()) return deleted;
    absl::StatusOr<int> revoked = credentials_.RevokeAgent(request->agent_id());
    return revoked.ok() || absl::IsNotFound(revoked.status()) ? absl::OkStatus() : revoked.status();
  });
}

grpc::ServerUnaryReactor* AdminService::ListAgents(grpc::CallbackServerContext* context,
                                                   const v1::ListAgentsRequest* /*request*/,
                                                   v1::ListAgentsResponse* response) {
  return AnswerIfAdmitted(gate_, context, Permission::kReadRegistry, [&](const Principal&) {
    absl::flat_hash_map<std::string, v1::Credential> last_used;  // By agent id.
    for (v1::Credential& credential : credentials_.List()) {
      if (credential.agent_id().empty()) continue;
      v1::Credential& latest = last_used[credential.agent_id()];
      if (credential.last_used_unix_seconds() > latest.last_used_unix_seconds()) {
        latest = std::move(credential);
      }
    }
    for (v1::Agent& agent : registry_.ListAgents()) {
      if (auto used = last_used.find(agent.id()); used != last_used.end()) {
        agent.set_last_used_unix_seconds(used->second.last_used_unix_seconds());
        agent.set_last_used_from(used->second.last_used_from());
      }
      const AgentProgress progress = writer_.Progress(agent.id());
      agent.set_last_stored_sequence(progress.last_sequence);
      agent.set_dropped_items_total(progress.dropped_items_total);
      agent.set_sequence_conflicts(progress.sequence_conflicts);
      agent.set_last_conflict_unix_nanos(progress.last_conflict_unix_nanos);
      *response->add_agents() = std::move(agent);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminService::GetIngestStats(grpc::CallbackServerContext* context,
                                                       const v1::GetIngestStatsRequest* /*request*/,
                                                       v1::IngestStats* response) {
  return AnswerIfAdmitted(gate_, context, Permission::kReadRegistry, [&](const Principal&) {
    *response = writer_.Stats();
    response->set_open_streams(open_streams_());
    return absl::OkStatus();
  });
}

}  // namespace postura::collector
