#ifndef POSTURA_TESTS_ACCESS_CONTROL_FIXTURE_H_
#define POSTURA_TESTS_ACCESS_CONTROL_FIXTURE_H_

// For the access-control tests (access_control_test.cc, access_tenancy_test.cc,
// access_roles_test.cc): a collector with its TLS gRPC and HTTPS listeners on loopback,
// in this process so that a fake clock can expire tokens, set up with the same small
// organisation for every test, and real TLS clients to call it with. Threading: the
// test's own thread; the collector runs its own.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "collector/collector_server.h"
#include "common/base/clock.h"
#include "common/transport/collector_channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"
#include "postura/v1/ingest.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/temp_dir.h"

namespace postura::test {

// A call context with a ten-second deadline.
std::unique_ptr<grpc::ClientContext> Context();

// Makes a unary call on a fresh channel with `trust`; the status.
template <typename Service, typename Request, typename Response>
grpc::Status Call(const std::string& address, const CollectorTrust& trust,
                  grpc::Status (Service::Stub::*method)(grpc::ClientContext*, const Request&,
                                                        Response*),
                  const Request& request, Response* response = nullptr) {
  auto stub = Service::NewStub(FreshChannel(address, trust));
  Response ignored;
  return ((*stub).*method)(Context().get(), request, response ? response : &ignored);
}

// The organisation of every test: "hq" (the organisation's), "acme-web" (run by the
// supplier acme) and "other-db" (run by the supplier other), each with an agent that has
// reported once, and an operator, an auditor and an acme supplier token.
class AccessControlTest : public testing::Test {
 protected:
  static constexpr char kOutcome[] = "PR_AC_CSC_5_2";

  void SetUp() override;

  void PutAsset(const std::string& id, const std::string& supplier);
  CollectorTrust Enroll(const std::string& agent, const std::vector<std::string>& assets,
                        const std::string& tenant);
  CollectorTrust ApiToken(v1::Role role, const std::string& tenant, int64_t ttl_seconds = 0);

  // Opens an ingest stream as `trust` (presenting `certificate`, if any), says Hello as
  // `agent` and sends one batch with one item for `asset`, signed with the certificate's
  // key when there is one (as agents do). The stream's final status; `ack` receives the
  // acknowledgement.
  grpc::Status Report(const CollectorTrust& trust, const std::string& agent, uint64_t sequence,
                      const std::string& asset, v1::Ack* ack = nullptr,
                      const std::string& outcome = kOutcome,
                      const ClientCertificate& certificate = ClientCertificate());

  // Sends `batch` as it is, on a stream opened as in Report.
  grpc::Status SendBatch(const CollectorTrust& trust, const ClientCertificate& certificate,
                         const std::string& agent, const v1::Batch& batch, v1::Ack* ack = nullptr);

  // Items stored since the collector started, as the admin reads them.
  uint64_t ItemsStored();
  // The ids of the registered agents, sorted.
  std::vector<std::string> AgentIds();
  // The HTTP status of GET `path` over HTTPS with `trust`'s token; -1 if no answer.
  int HttpStatus(const CollectorTrust& trust, const std::string& path);

  FakeClock clock_{absl::Now()};
  TempDir dir_;
  std::unique_ptr<collector::CollectorServer> server_;
  std::string address_;
  std::string ca_file_;
  CollectorTrust admin_, operator_, auditor_, supplier_;
  CollectorTrust hq_agent_, acme_agent_, other_agent_;
};

}  // namespace postura::test

#endif  // POSTURA_TESTS_ACCESS_CONTROL_FIXTURE_H_
