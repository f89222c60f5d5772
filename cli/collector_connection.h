#ifndef POSTURA_CLI_COLLECTOR_CONNECTION_H_
#define POSTURA_CLI_COLLECTOR_CONNECTION_H_

#include <iosfwd>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/transport/collector_channel.h"
#include "common/transport/grpc_status.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "postura/v1/access.grpc.pb.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/exceptions.grpc.pb.h"
#include "postura/v1/profile.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "postura/v1/requests.grpc.pb.h"
#include "postura/v1/tiers.grpc.pb.h"

namespace postura::cli {

// The collector could not be reached (or did not answer in time); see stderr.
inline constexpr int kExitUnreachable = 4;

// Where the commands look for the collector without --collector.
inline constexpr char kDefaultCollectorAddress[] = "127.0.0.1:4317";

// $POSTURA_COLLECTOR when set and not empty, kDefaultCollectorAddress otherwise.
std::string DefaultCollectorAddress();

// Where the commands look for the collector's CA certificate and the API token without
// --ca-file and --token-file: $POSTURA_CA_FILE and $POSTURA_TOKEN_FILE (empty if unset).
std::string DefaultCaFile();
std::string DefaultTokenFile();

// The stubs of one collector, sharing one channel, and the deadline of unary calls.
// Not thread-safe (gRPC stubs are, but nothing here needs it). Creating the connection
// does not connect: the first call does.
class CollectorConnection {
 public:
  CollectorConnection(std::string address, const CollectorTrust& trust,
                      absl::Duration call_timeout = absl::Seconds(10));

  const std::string& address() const { return address_; }
  absl::Duration call_timeout() const { return call_timeout_; }
  v1::AdminService::Stub& admin() { return *admin_; }
  v1::RiskExceptions::Stub& exceptions() { return *exceptions_; }
  v1::QueryService::Stub& query() { return *query_; }
  v1::AccessService::Stub& access() { return *access_; }
  v1::EvidenceRequests::Stub& requests() { return *requests_; }
  v1::Tiers::Stub& tiers() { return *tiers_; }
  v1::Profiles::Stub& profiles() { return *profiles_; }

  // Makes one unary call with a deadline `timeout` (call_timeout() when zero) away: the
  // response, or the collector's error (Unavailable when it cannot be reached,
  // DeadlineExceeded when it did not answer in time).
  template <typename Stub, typename Request, typename Response>
  absl::StatusOr<Response> Call(
      Stub& stub, grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
      const Request& request, absl::Duration timeout = absl::ZeroDuration()) const {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(
        absl::Now() + (timeout == absl::ZeroDuration() ? call_timeout_ : timeout)));
    Response response;
    if (grpc::Status s = (stub.*rpc)(&context, request, &response); !s.ok()) {
      return FromGrpcStatus(s);
    }
    return response;
  }

 private:
  std::string address_;
  absl::Duration call_timeout_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::RiskExceptions::Stub> exceptions_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::AccessService::Stub> access_;
  std::unique_ptr<v1::EvidenceRequests::Stub> requests_;
  std::unique_ptr<v1::Tiers::Stub> tiers_;
  std::unique_ptr<v1::Profiles::Stub> profiles_;
};

// Writes what went wrong with a call to the collector at `address` to `err`, saying what to
// do, and returns the exit status: kExitUnreachable for Unavailable and DeadlineExceeded,
// kExitBadInput for everything else (the collector refused the request; its message
// names the problem). REQUIRES: !status.ok().
int ReportCollectorError(const absl::Status& status, const std::string& address, std::ostream& err);

}  // namespace postura::cli

#endif  // POSTURA_CLI_COLLECTOR_CONNECTION_H_
