// The Profiles service over gRPC (postura/v1/profile.proto): GetProfile, admitted by the
// gatekeeper with kReadScores and answered by ProfileQueries (tenant-scoped there).
// Registered by the composition root (collector/collector_server.cc). Thread-safe: each
// call runs on a gRPC thread and only reads; the planner runs inline, bounded by
// kProfilePlanTimeLimit per asset. Everything borrowed must outlive the service.
#ifndef POSTURA_COLLECTOR_API_PROFILE_SERVICE_H_
#define POSTURA_COLLECTOR_API_PROFILE_SERVICE_H_

#include "collector/access/gatekeeper.h"
#include "collector/api/profile_queries.h"
#include "postura/v1/profile.grpc.pb.h"

namespace postura::collector {

class ProfileService final : public v1::Profiles::CallbackService {
 public:
  ProfileService(const Gatekeeper& gate, const ProfileQueries& profiles)
      : gate_(gate), profiles_(profiles) {}

  grpc::ServerUnaryReactor* GetProfile(grpc::CallbackServerContext* context,
                                       const v1::GetProfileRequest* request,
                                       v1::Profile* response) override;

 private:
  const Gatekeeper& gate_;
  const ProfileQueries& profiles_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_PROFILE_SERVICE_H_
