#include "cli/collector_connection.h"

#include <cstdlib>
#include <ostream>

#include "cli/fleco_command.h"
#include "cli/terminal_text.h"

namespace postura::cli {

std::string DefaultCollectorAddress() {
  const char* from_env = std::getenv("POSTURA_COLLECTOR");
  if (from_env != nullptr && *from_env != '\0') return from_env;
  return kDefaultCollectorAddress;
}

namespace {

std::string FromEnvironment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

std::string DefaultCaFile() { return FromEnvironment("POSTURA_CA_FILE"); }
std::string DefaultTokenFile() { return FromEnvironment("POSTURA_TOKEN_FILE"); }

CollectorConnection::CollectorConnection(std::string address, const CollectorTrust& trust,
                                         absl::Duration call_timeout)
    : address_(std::move(address)), call_timeout_(call_timeout) {
  std::shared_ptr<grpc::Channel> channel = CreateCollectorChannel(address_, trust);
  admin_ = v1::AdminService::NewStub(channel);
  query_ = v1::QueryService::NewStub(channel);
  access_ = v1::AccessService::NewStub(channel);
  exceptions_ = v1::RiskExceptions::NewStub(channel);
  requests_ = v1::EvidenceRequests::NewStub(channel);
  tiers_ = v1::Tiers::NewStub(channel);
  profiles_ = v1::Profiles::NewStub(channel);
}

int ReportCollectorError(const absl::Status& status, const std::string& address,
                         std::ostream& err) {
  // The message may quote names an agent or supplier chose.
  const std::string message = TerminalSafe(status.message());
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      err << "postura: cannot reach the collector at " << address << ": " << message
          << "; is it running, and is --ca-file ($POSTURA_CA_FILE) its CA certificate? "
             "(--collector, or $POSTURA_COLLECTOR)\n";
      return kExitUnreachable;
    case absl::StatusCode::kDeadlineExceeded:
      err << "postura: the collector at " << address
          << " did not answer in time; is it running and not overloaded? (--collector, or "
             "$POSTURA_COLLECTOR)\n";
      return kExitUnreachable;
    case absl::StatusCode::kUnauthenticated:
      err << "postura: the collector at " << address << " refused the credential: " << message
          << "; give an API token file with --token-file or $POSTURA_TOKEN_FILE (the first "
             "admin token is <data_dir>/admin.token)\n";
      return kExitBadInput;
    case absl::StatusCode::kPermissionDenied:
      err << "postura: " << message << " (ask an admin for a token with that role)\n";
      return kExitBadInput;
    case absl::StatusCode::kUnimplemented:
      err << "postura: the collector at " << address << " does not support this request ("
          << message << "); upgrade postura-collector\n";
      return kExitBadInput;
    default:
      err << "postura: " << message << "\n";
      return kExitBadInput;
  }
}

}  // namespace postura::cli
