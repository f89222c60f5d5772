#include "tests/testing/collector_client.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "postura/v1/admin.grpc.pb.h"

namespace postura::test {

std::shared_ptr<grpc::Channel> FreshChannel(const std::string& address) {
  static std::atomic<int> channels{0};
  grpc::ChannelArguments args;
  args.SetInt("postura.test_channel", ++channels);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

absl::Status RegisterAgentForAsset(const std::string& address, const std::string& agent_id,
                                   const std::string& asset_id, v1::ImplementationGroup group) {
  auto admin = v1::AdminService::NewStub(FreshChannel(address));
  const auto deadline = absl::ToChronoTime(absl::Now() + absl::Seconds(10));
  grpc::ClientContext asset_context, agent_context;
  asset_context.set_deadline(deadline);
  agent_context.set_deadline(deadline);
  v1::PutAssetRequest asset;
  asset.mutable_asset()->set_id(asset_id);
  asset.mutable_asset()->set_name(absl::StrCat("Asset ", asset_id));
  asset.mutable_asset()->set_implementation_group(group);
  v1::PutAssetResponse asset_response;
  if (grpc::Status s = admin->PutAsset(&asset_context, asset, &asset_response); !s.ok()) {
    return FromGrpcStatus(s);
  }
  v1::PutAgentRequest agent;
  agent.mutable_agent()->set_id(agent_id);
  agent.mutable_agent()->add_asset_ids(asset_id);
  v1::PutAgentResponse agent_response;
  return FromGrpcStatus(admin->PutAgent(&agent_context, agent, &agent_response));
}

}  // namespace postura::test
