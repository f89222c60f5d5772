#ifndef POSTURA_COMMON_TRANSPORT_GRPC_LIFETIME_H_
#define POSTURA_COMMON_TRANSPORT_GRPC_LIFETIME_H_

namespace postura {

// Keeps the gRPC library initialised for as long as it lives, and on destruction shuts it
// down synchronously on the calling thread, joining gRPC's own threads; if one of gRPC's
// objects outlives it and is released on a gRPC thread, it waits (up to 2 s) until the
// clean-up that release starts has finished.
//
// Without it the last channel or server released decides when gRPC shuts down, and when
// that release happens on one of gRPC's threads the clean-up runs on a detached thread
// that races the process's exit: LeakSanitizer then sometimes finds a thread's OpenSSL
// error state (904 bytes from CRYPTO_zalloc) whose thread was still exiting.
//
// Declare one first thing in main(), before any channel, server or stub, so that it is
// destroyed after all of them. One per process; not copyable.
class GrpcLifetime {
 public:
  GrpcLifetime();
  ~GrpcLifetime();
  GrpcLifetime(const GrpcLifetime&) = delete;
  GrpcLifetime& operator=(const GrpcLifetime&) = delete;
};

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_GRPC_LIFETIME_H_
