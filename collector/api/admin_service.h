#ifndef POSTURA_COLLECTOR_API_ADMIN_SERVICE_H_
#define POSTURA_COLLECTOR_API_ADMIN_SERVICE_H_

#include <functional>

#include "collector/access/gatekeeper.h"
#include "collector/ingest/ingest_writer.h"
#include "collector/registry/registry.h"
#include "postura/v1/admin.grpc.pb.h"

namespace postura::collector {

// The registry and counters over gRPC (postura/v1/admin.proto). Calls are quick and run
// on gRPC threads; registry changes are synced to disk before they are answered.
// Every call is admitted by `gate` first (kChangeRegistry for changes, kReadRegistry for
// tenants, departments, agents and counters, kReadScores for assets and targets, which a
// supplier sees for its own assets only). Deleting an agent or a tenant revokes its
// credentials too, so that a later record of the same id does not inherit them.
// Thread-safe. Everything borrowed must outlive the service.
class AdminService final : public v1::AdminService::CallbackService {
 public:
  AdminService(const Gatekeeper& gate, CredentialStore& credentials, Registry& registry,
               const IngestWriter& writer, std::function<uint64_t()> open_streams)
      : gate_(gate),
        credentials_(credentials),
        registry_(registry),
        writer_(writer),
        open_streams_(std::move(open_streams)) {}

  grpc::ServerUnaryReactor* PutTenant(grpc::CallbackServerContext* context,
                                      const v1::PutTenantRequest* request,
                                      v1::PutTenantResponse* response) override;
  grpc::ServerUnaryReactor* DeleteTenant(grpc::CallbackServerContext* context,
                                         const v1::DeleteTenantRequest* request,
                                         v1::DeleteTenantResponse* response) override;
  grpc::ServerUnaryReactor* ListTenants(grpc::CallbackServerContext* context,
                                        const v1::ListTenantsRequest* request,
                                        v1::ListTenantsResponse* response) override;
  grpc::ServerUnaryReactor* PutDepartment(grpc::CallbackServerContext* context,
                                          const v1::PutDepartmentRequest* request,
                                          v1::PutDepartmentResponse* response) override;
  grpc::ServerUnaryReactor* DeleteDepartment(grpc::CallbackServerContext* context,
                                             const v1::DeleteDepartmentRequest* request,
                                             v1::DeleteDepartmentResponse* response) override;
  grpc::ServerUnaryReactor* ListDepartments(grpc::CallbackServerContext* context,
                                            const v1::ListDepartmentsRequest* request,
                                            v1::ListDepartmentsResponse* response) override;
  grpc::ServerUnaryReactor* PutTargets(grpc::CallbackServerContext* context,
                                       const v1::PutTargetsRequest* request,
                                       v1::PutTargetsResponse* response) override;
  grpc::ServerUnaryReactor* GetTargets(grpc::CallbackServerContext* context,
                                       const v1::GetTargetsRequest* request,
                                       v1::GetTargetsResponse* response) override;
  grpc::ServerUnaryReactor* PutAsset(grpc::CallbackServerContext* context,
                                     const v1::PutAssetRequest* request,
                                     v1::PutAssetResponse* response) override;
  grpc::ServerUnaryReactor* DeleteAsset(grpc::CallbackServerContext* context,
                                        const v1::DeleteAssetRequest* request,
                                        v1::DeleteAssetResponse* response) override;
  grpc::ServerUnaryReactor* ListAssets(grpc::CallbackServerContext* context,
                                       const v1::ListAssetsRequest* request,
                                       v1::ListAssetsResponse* response) override;
  grpc::ServerUnaryReactor* PutAgent(grpc::CallbackServerContext* context,
                                     const v1::PutAgentRequest* request,
                                     v1::PutAgentResponse* response) override;
  grpc::ServerUnaryReactor* DeleteAgent(grpc::CallbackServerContext* context,
                                        const v1::DeleteAgentRequest* request,
                                        v1::DeleteAgentResponse* response) override;
  grpc::ServerUnaryReactor* ListAgents(grpc::CallbackServerContext* context,
                                       const v1::ListAgentsRequest* request,
                                       v1::ListAgentsResponse* response) override;
  grpc::ServerUnaryReactor* GetIngestStats(grpc::CallbackServerContext* context,
                                           const v1::GetIngestStatsRequest* request,
                                           v1::IngestStats* response) override;

 private:
  const Gatekeeper& gate_;
  CredentialStore& credentials_;
  Registry& registry_;
  const IngestWriter& writer_;
  std::function<uint64_t()> open_streams_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_ADMIN_SERVICE_H_
