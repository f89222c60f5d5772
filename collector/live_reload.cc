#include "collector/live_reload.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/transport/private_file.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace postura::collector {
namespace {

namespace fs = std::filesystem;

// How often gRPC's watcher reads the serving copies: the most a reload waits to reach
// new gRPC handshakes.
constexpr unsigned int kWatchIntervalSeconds = 1;

constexpr char kServingCertificate[] = "server.crt";
constexpr char kServingKey[] = "server.key";

}  // namespace

absl::StatusOr<std::unique_ptr<ServingTls>> ServingTls::Start(const TlsMaterial& material,
                                                              const std::string& certificate_file,
                                                              const std::string& key_file,
                                                              const std::string& serving_dir) {
  absl::StatusOr<std::unique_ptr<TlsIdentity>> identity = TlsIdentity::Create(material);
  if (!identity.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(certificate_file, " with ", key_file, ": ", identity.status().message()));
  }
  std::error_code error;
  fs::create_directories(serving_dir, error);
  fs::permissions(serving_dir, fs::perms::owner_all, error);
  std::unique_ptr<ServingTls> tls(new ServingTls(*std::move(identity), serving_dir));
  if (absl::Status s = tls->WriteServingCopies(material); !s.ok()) return s;
  absl::MutexLock lock(&tls->mu_);
  tls->serving_ = material;
  tls->certificate_file_ = certificate_file;
  return tls;
}

absl::Status ServingTls::WriteServingCopies(const TlsMaterial& material) const {
  // The key first: gRPC's watcher reads both, checks that they match and, if a write came
  // between its reads, reads again; a pair that does not match is never served.
  if (absl::Status s =
          WritePrivateFile(fs::path(serving_dir_) / kServingKey, material.private_key_pem);
      !s.ok()) {
    return s;
  }
  return WritePrivateFile(fs::path(serving_dir_) / kServingCertificate,
                          material.certificate_chain_pem);
}

std::shared_ptr<grpc::ServerCredentials> ServingTls::GrpcCredentials() const {
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      (fs::path(serving_dir_) / kServingKey).string(),
      (fs::path(serving_dir_) / kServingCertificate).string(), kWatchIntervalSeconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  // Agents prove who they are with a client certificate from the agent CA; people and
  // scripts, on the same port, with API tokens and no certificate. So a certificate is
  // asked for but not required, and not checked here: AgentAdmission checks it against
  // the agent CA, its validity and its revocation, for the calls that need an agent, and
  // can say why it refuses one (the TLS handshake would only fail). TLS itself still
  // makes the client prove it holds the certificate's key.
  options.set_cert_request_type(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::string> ServingTls::Reload(const std::string& certificate_file,
                                               const std::string& key_file) {
  absl::StatusOr<TlsMaterial> material = LoadTlsMaterial(certificate_file, key_file, "");
  absl::MutexLock lock(&mu_);
  if (!material.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "TLS certificate not reloaded: ", material.status().message(), "; still serving ",
        certificate_file_, ", valid until ", absl::FormatTime(http_->not_after())));
  }
  if (material->certificate_chain_pem == serving_.certificate_chain_pem &&
      material->private_key_pem == serving_.private_key_pem) {
    return absl::StrCat("TLS certificate ", certificate_file, " unchanged");
  }
  // The HTTPS identity first: it checks the pair again, and refuses it before gRPC's
  // copies change.
  if (absl::Status s = http_->Replace(*material); !s.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("TLS certificate ", certificate_file, " not reloaded: ", s.message()));
  }
  if (absl::Status s = WriteServingCopies(*material); !s.ok()) return s;
  serving_ = *std::move(material);
  certificate_file_ = certificate_file;
  return absl::StrCat("TLS certificate ", certificate_file, " reloaded, valid until ",
                      absl::FormatTime(http_->not_after()));
}

std::vector<std::string> ChangedConfigKeys(const v1::CollectorConfig& before,
                                           const v1::CollectorConfig& after) {
  using google::protobuf::FieldDescriptor;
  using google::protobuf::util::MessageDifferencer;
  std::vector<std::string> keys;
  const google::protobuf::Descriptor& type = *before.GetDescriptor();
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* field = type.field(i);
    const std::string name = field->name();
    if (field->type() != FieldDescriptor::TYPE_MESSAGE || field->is_repeated()) {
      MessageDifferencer differ;
      std::vector<const FieldDescriptor*> only = {field};
      if (!differ.CompareWithFields(before, after, only, only)) keys.push_back(name);
      continue;
    }
    const google::protobuf::Message& inner_before =
        before.GetReflection()->GetMessage(before, field);
    const google::protobuf::Message& inner_after = after.GetReflection()->GetMessage(after, field);
    const google::protobuf::Descriptor& inner = *field->message_type();
    for (int j = 0; j < inner.field_count(); ++j) {
      std::vector<const FieldDescriptor*> only = {inner.field(j)};
      MessageDifferencer differ;
      if (!differ.CompareWithFields(inner_before, inner_after, only, only)) {
        keys.push_back(absl::StrCat(name, ".", inner.field(j)->name()));
      }
    }
  }
  return keys;
}

bool IsAlertingKey(const std::string& key) { return absl::StartsWith(key, "alerting."); }

bool AppliesLive(const std::string& key) {
  return IsAlertingKey(key) || key == "tls.certificate_file" || key == "tls.key_file" ||
         key == "requests.max_document_bytes" || key == "requests.max_request_document_bytes";
}

}  // namespace postura::collector
