#include "common/transport/grpc_lifetime.h"

#include "grpc/grpc.h"

namespace postura {

GrpcLifetime::GrpcLifetime() { grpc_init(); }

GrpcLifetime::~GrpcLifetime() { grpc_shutdown_blocking(); }

}  // namespace postura
