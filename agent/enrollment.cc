#include "agent/enrollment.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/private_file.h"
#include "glog/logging.h"
#include "postura/v1/access.grpc.pb.h"

namespace postura::agent {
namespace {

absl::StatusOr<v1::EnrollResponse> Enroll(const AgentOptions& options, const std::string& token,
                                          absl::Duration timeout) {
  CollectorTrust trust{.ca_certificate_pem = options.trust.ca_certificate_pem, .token = ""};
  std::unique_ptr<v1::EnrollmentService::Stub> stub =
      v1::EnrollmentService::NewStub(CreateCollectorChannel(options.collector_address, trust));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  v1::EnrollRequest request;
  request.set_token(token);
  request.set_agent_id(options.agent_id);
  v1::EnrollResponse response;
  if (grpc::Status s = stub->Enroll(&context, request, &response); !s.ok()) {
    return FromGrpcStatus(s);
  }
  return response;
}

}  // namespace

absl::StatusOr<std::string> ObtainCredential(const AgentOptions& options, absl::Duration timeout) {
  absl::StatusOr<std::string> saved = ReadSecretFile(options.credential_file);
  if (saved.ok() || !absl::IsNotFound(saved.status())) return saved;
  if (options.enrollment_token_file.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no credential at ", options.credential_file,
        " and no enrollment_token_file in the config: ask an admin for `postura tokens create "
        "enrollment --asset ...` and put the token in that file"));
  }
  absl::StatusOr<std::string> token = ReadSecretFile(options.enrollment_token_file);
  if (!token.ok()) return token.status();
  absl::StatusOr<v1::EnrollResponse> enrolled = Enroll(options, *token, timeout);
  if (!enrolled.ok()) {
    return absl::Status(enrolled.status().code(),
                        absl::StrCat("enrollment refused: ", enrolled.status().message()));
  }
  std::error_code ignored;  // WritePrivateFile reports a directory that is still missing.
  std::filesystem::create_directories(std::filesystem::path(options.credential_file).parent_path(),
                                      ignored);
  if (absl::Status written = WritePrivateFile(options.credential_file, enrolled->credential());
      !written.ok()) {
    return written;
  }
  LOG(INFO) << "enrolled as agent " << enrolled->agent_id() << " of tenant "
            << enrolled->tenant_id() << "; credential saved to " << options.credential_file;
  return enrolled->credential();
}

}  // namespace postura::agent
