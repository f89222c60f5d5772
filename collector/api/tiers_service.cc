#include "collector/api/tiers_service.h"

#include "common/transport/grpc_status.h"

namespace postura::collector {

grpc::ServerUnaryReactor* TiersService::GetTiers(grpc::CallbackServerContext* context,
                                                 const v1::GetTiersRequest* request,
                                                 v1::TiersAnswer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Principal> principal = gate_.Admit(*context, Permission::kReadScores);
  if (!principal.ok()) {
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  absl::StatusOr<v1::TiersAnswer> answer = tiers_.GetTiers(*principal, *request);
  if (!answer.ok()) {
    reactor->Finish(ToGrpcStatus(answer.status()));
    return reactor;
  }
  *response = *std::move(answer);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace postura::collector
