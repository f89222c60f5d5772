#include "collector/api/profile_service.h"

#include "common/transport/grpc_status.h"

namespace postura::collector {

grpc::ServerUnaryReactor* ProfileService::GetProfile(grpc::CallbackServerContext* context,
                                                     const v1::GetProfileRequest* request,
                                                     v1::Profile* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Principal> principal = gate_.Admit(*context, Permission::kReadScores);
  if (!principal.ok()) {
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  absl::StatusOr<v1::Profile> profile = profiles_.GetProfile(*principal, *request);
  if (!profile.ok()) {
    reactor->Finish(ToGrpcStatus(profile.status()));
    return reactor;
  }
  *response = *std::move(profile);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace postura::collector
