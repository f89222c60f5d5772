#ifndef POSTURA_COMMON_TRANSPORT_GRPC_STATUS_H_
#define POSTURA_COMMON_TRANSPORT_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace postura {

// The one place where absl::Status and grpc::Status are translated; codes map one to one.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_GRPC_STATUS_H_
