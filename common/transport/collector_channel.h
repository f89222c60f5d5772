#ifndef POSTURA_COMMON_TRANSPORT_COLLECTOR_CHANNEL_H_
#define POSTURA_COMMON_TRANSPORT_COLLECTOR_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace postura {

// How a client recognises the collector and proves who it is.
struct CollectorTrust {
  // PEM of the CA the collector's certificate must chain to (the collector's
  // <data_dir>/tls/ca.crt for its local CA). Empty: the system's trusted roots.
  std::string ca_certificate_pem;
  // Sent as "authorization: Bearer <token>" on every call. Empty: none (enrollment, or an
  // agent that proves itself with its certificate).
  std::string token;
};

// An agent's own key and the client certificate the agent CA issued for it (PEM), which
// it presents in the TLS handshake (mutual TLS). Both empty: none.
struct ClientCertificate {
  std::string key_pem;
  std::string certificate_pem;

  bool empty() const { return certificate_pem.empty(); }
  bool operator==(const ClientCertificate&) const = default;
};

// A TLS channel to the collector at `address` ("host:port"); the collector's certificate
// must name the host. Does not connect: the first call does. Reconnection attempts are at
// most 5 s apart (gRPC's default allows 120 s).
std::shared_ptr<grpc::Channel> CreateCollectorChannel(
    const std::string& address, const CollectorTrust& trust,
    const grpc::ChannelArguments& arguments = grpc::ChannelArguments());

// The same, presenting `certificate` (when not empty) as the TLS client certificate.
std::shared_ptr<grpc::Channel> CreateCollectorChannel(
    const std::string& address, const CollectorTrust& trust, const ClientCertificate& certificate,
    const grpc::ChannelArguments& arguments = grpc::ChannelArguments());

// Reads the CA file (if `ca_file` is not empty) and the token file (if `token_file` is
// not empty; it must be owner-only). Errors name the file and what is wrong with it.
absl::StatusOr<CollectorTrust> LoadCollectorTrust(const std::string& ca_file,
                                                  const std::string& token_file);

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_COLLECTOR_CHANNEL_H_
