#include "cli/collector_connection.h"

#include <cstdlib>
#include <ostream>

#include "cli/fleco_command.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace postura::cli {

std::string DefaultCollectorAddress() {
  const char* from_env = std::getenv("POSTURA_COLLECTOR");
  if (from_env != nullptr && *from_env != '\0') return from_env;
  return kDefaultCollectorAddress;
}

std::shared_ptr<grpc::Channel> CreateCollectorChannel(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

CollectorConnection::CollectorConnection(std::string address, absl::Duration call_timeout)
    : address_(std::move(address)), call_timeout_(call_timeout) {
  std::shared_ptr<grpc::Channel> channel = CreateCollectorChannel(address_);
  admin_ = v1::AdminService::NewStub(channel);
  query_ = v1::QueryService::NewStub(channel);
}

int ReportCollectorError(const absl::Status& status, const std::string& address,
                         std::ostream& err) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      err << "postura: cannot reach the collector at " << address << ": " << status.message()
          << "; is it running? (--collector, or $POSTURA_COLLECTOR)\n";
      return kExitUnreachable;
    case absl::StatusCode::kDeadlineExceeded:
      err << "postura: the collector at " << address
          << " did not answer in time; is it running and not overloaded? (--collector, or "
             "$POSTURA_COLLECTOR)\n";
      return kExitUnreachable;
    case absl::StatusCode::kUnimplemented:
      err << "postura: the collector at " << address << " does not support this request ("
          << status.message() << "); upgrade postura-collector\n";
      return kExitBadInput;
    default:
      err << "postura: " << status.message() << "\n";
      return kExitBadInput;
  }
}

}  // namespace postura::cli
