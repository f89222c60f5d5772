#include "collector/admin_service.h"

#include "common/grpc_status.h"

namespace postura::collector {
namespace {

grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* AdminService::PutAsset(grpc::CallbackServerContext* context,
                                                 const v1::PutAssetRequest* request,
                                                 v1::PutAssetResponse* /*response*/) {
  return Answer(context, registry_.PutAsset(request->asset()));
}

grpc::ServerUnaryReactor* AdminService::DeleteAsset(grpc::CallbackServerContext* context,
                                                    const v1::DeleteAssetRequest* request,
                                                    v1::DeleteAssetResponse* /*response*/) {
  return Answer(context, registry_.DeleteAsset(request->asset_id()));
}

grpc::ServerUnaryReactor* AdminService::ListAssets(grpc::CallbackServerContext* context,
                                                   const v1::ListAssetsRequest* /*request*/,
                                                   v1::ListAssetsResponse* response) {
  for (v1::Asset& asset : registry_.ListAssets()) *response->add_assets() = std::move(asset);
  return Answer(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminService::PutAgent(grpc::CallbackServerContext* context,
                                                 const v1::PutAgentRequest* request,
                                                 v1::PutAgentResponse* /*response*/) {
  return Answer(context, registry_.PutAgent(request->agent()));
}

grpc::ServerUnaryReactor* AdminService::DeleteAgent(grpc::CallbackServerContext* context,
                                                    const v1::DeleteAgentRequest* request,
                                                    v1::DeleteAgentResponse* /*response*/) {
  return Answer(context, registry_.DeleteAgent(request->agent_id()));
}

grpc::ServerUnaryReactor* AdminService::ListAgents(grpc::CallbackServerContext* context,
                                                   const v1::ListAgentsRequest* /*request*/,
                                                   v1::ListAgentsResponse* response) {
  for (v1::Agent& agent : registry_.ListAgents()) {
    const AgentProgress progress = writer_.Progress(agent.id());
    agent.set_last_stored_sequence(progress.last_sequence);
    agent.set_dropped_items_total(progress.dropped_items_total);
    *response->add_agents() = std::move(agent);
  }
  return Answer(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AdminService::GetIngestStats(grpc::CallbackServerContext* context,
                                                       const v1::GetIngestStatsRequest* /*request*/,
                                                       v1::IngestStats* response) {
  *response = writer_.Stats();
  response->set_open_streams(open_streams_());
  return Answer(context, absl::OkStatus());
}

}  // namespace postura::collector
