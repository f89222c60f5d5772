#include "common/transport/grpc_lifetime.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/grpc.h"

namespace postura {
namespace {

// How long the destructor waits for a clean-up that gRPC handed to a thread of its own.
constexpr absl::Duration kCleanUpWait = absl::Seconds(2);

}  // namespace

GrpcLifetime::GrpcLifetime() { grpc_init(); }

GrpcLifetime::~GrpcLifetime() {
  // When this is the last reference, gRPC shuts down here, joining its threads.
  grpc_shutdown_blocking();
  // Otherwise an object released on one of gRPC's threads still holds one, and its release
  // hands the clean-up to a detached thread: wait until that has finished.
  const absl::Time deadline = absl::Now() + kCleanUpWait;
  while (grpc_is_initialized() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
}

}  // namespace postura
