#ifndef POSTURA_COLLECTOR_API_TIERS_SERVICE_H_
#define POSTURA_COLLECTOR_API_TIERS_SERVICE_H_

// The Tiers gRPC service (postura/v1/tiers.proto): NIST CSF implementation tiers of the
// organisation and each function, with the facts that decided them, answered by
// TierQueries (tier_queries.h). Each call is admitted by the gatekeeper with kReadScores
// and scoped to the caller's tenant. Built and registered by the collector's composition
// root (collector/collector_server.cc); `postura report` and `postura profile` call it.
//
// Threading: thread-safe; a call answers on the gRPC thread (it only reads). Everything
// borrowed must outlive the service.

#include "collector/access/gatekeeper.h"
#include "collector/api/tier_queries.h"
#include "postura/v1/tiers.grpc.pb.h"

namespace postura::collector {

class TiersService final : public v1::Tiers::CallbackService {
 public:
  TiersService(const Gatekeeper& gate, const TierQueries& tiers) : gate_(gate), tiers_(tiers) {}

  grpc::ServerUnaryReactor* GetTiers(grpc::CallbackServerContext* context,
                                     const v1::GetTiersRequest* request,
                                     v1::TiersAnswer* response) override;

 private:
  const Gatekeeper& gate_;
  const TierQueries& tiers_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_TIERS_SERVICE_H_
