#include "common/transport/collector_channel.h"

#include "common/transport/private_file.h"
#include "common/transport/tls_files.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace postura {

std::shared_ptr<grpc::Channel> CreateCollectorChannel(const std::string& address,
                                                      const CollectorTrust& trust,
                                                      const grpc::ChannelArguments& arguments) {
  return CreateCollectorChannel(address, trust, ClientCertificate(), arguments);
}

std::shared_ptr<grpc::Channel> CreateCollectorChannel(const std::string& address,
                                                      const CollectorTrust& trust,
                                                      const ClientCertificate& certificate,
                                                      const grpc::ChannelArguments& arguments) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = trust.ca_certificate_pem;
  if (!certificate.empty()) {
    ssl.pem_private_key = certificate.key_pem;
    ssl.pem_cert_chain = certificate.certificate_pem;
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::SslCredentials(ssl);
  if (!trust.token.empty()) {
    credentials =
        grpc::CompositeChannelCredentials(credentials, grpc::AccessTokenCredentials(trust.token));
  }
  // gRPC waits up to 120 s between attempts to reconnect by default; after a collector
  // restart its clients should be back within seconds, and their own retry loops bound
  // how often they try.
  grpc::ChannelArguments with_backoff = arguments;
  with_backoff.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  return grpc::CreateCustomChannel(address, credentials, with_backoff);
}

absl::StatusOr<CollectorTrust> LoadCollectorTrust(const std::string& ca_file,
                                                  const std::string& token_file) {
  CollectorTrust trust;
  if (!ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadCertificateFile(ca_file);
    if (!ca.ok()) return ca.status();
    trust.ca_certificate_pem = *std::move(ca);
  }
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token = ReadSecretFile(token_file);
    if (!token.ok()) return token.status();
    trust.token = *std::move(token);
  }
  return trust;
}

}  // namespace postura
