// Reload without restart on a real collector process: after SIGHUP (or the Reload RPC)
// both listeners present the certificate now in the TLS files; a bad new file is refused
// with a log line and the old certificate keeps serving. Prints the reload latency: from
// the signal to the first new handshake that presents the new certificate.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/transport/local_ca.h"
#include "common/transport/private_file.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "postura/v1/operations.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::TempDir;
using ::testing::HasSubstr;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether a new gRPC connection that trusts only `ca_pem` completes a health check.
bool GrpcTrusts(const std::string& address, const std::string& ca_pem) {
  auto health = grpc::health::v1::Health::NewStub(
      test::FreshChannel(address, CollectorTrust{.ca_certificate_pem = ca_pem, .token = ""}));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckResponse response;
  return health->Check(&context, {}, &response).ok();
}

// Whether a new HTTPS connection that trusts only the CA file `ca_file` gets /healthz.
bool HttpsTrusts(const std::string& address, const std::string& ca_file) {
  const size_t colon = address.rfind(':');
  httplib::SSLClient client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
  client.set_ca_cert_path(ca_file.c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(2);
  httplib::Result result = client.Get("/healthz");
  return result && result->status == 200;
}

// Polls `accepts` every 10 ms for up to 10 s: how long it took to become true.
absl::StatusOr<absl::Duration> TimeUntil(const std::function<bool()>& accepts, absl::Time since) {
  while (absl::Now() - since < absl::Seconds(10)) {
    if (accepts()) return absl::Now() - since;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::DeadlineExceededError("not within 10 s");
}

class ReloadTest : public testing::Test {
 protected:
  void SetUp() override {
    collector_ = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path()).value();
    tls_ = std::filesystem::path(collector_->data_dir()) / "tls";
    // A second CA and server certificate, for the same names: what an operator rotates to.
    ASSERT_TRUE(EnsureLocalCertificateAuthority(dir_.path() / "next", {}).ok());
    next_ = dir_.path() / "next";
    old_ca_ = ReadFile(tls_ / "ca.crt");
    new_ca_ = ReadFile(next_ / "ca.crt");
  }
  void RotateToNext() {
    std::filesystem::copy_file(next_ / "server.key", tls_ / "server.key",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(next_ / "server.crt", tls_ / "server.crt",
                               std::filesystem::copy_options::overwrite_existing);
  }

  TempDir dir_;
  std::unique_ptr<CollectorProcess> collector_;
  std::filesystem::path tls_, next_;
  std::string old_ca_, new_ca_;
};

TEST_F(ReloadTest, SighupServesTheNewCertificateOnBothListenersAndABadFileIsRefused) {
  ASSERT_TRUE(GrpcTrusts(collector_->address(), old_ca_));
  ASSERT_FALSE(GrpcTrusts(collector_->address(), new_ca_));
  RotateToNext();
  const absl::Time signalled = absl::Now();
  collector_->Signal(SIGHUP);
  absl::StatusOr<absl::Duration> https = TimeUntil(
      [&] { return HttpsTrusts(collector_->http_address(), (next_ / "ca.crt").string()); },
      signalled);
  absl::StatusOr<absl::Duration> grpc =
      TimeUntil([&] { return GrpcTrusts(collector_->address(), new_ca_); }, signalled);
  ASSERT_TRUE(grpc.ok()) << grpc.status();
  ASSERT_TRUE(https.ok()) << https.status();
  std::cout << "reload latency (SIGHUP to the first new handshake with the new certificate): "
            << "gRPC " << absl::FormatDuration(*grpc) << ", HTTPS " << absl::FormatDuration(*https)
            << "\n";
  EXPECT_FALSE(GrpcTrusts(collector_->address(), old_ca_));
  EXPECT_FALSE(HttpsTrusts(collector_->http_address(), (tls_ / "ca.crt").string()));

  // A key that does not match the certificate: refused, and the new certificate stays.
  std::filesystem::copy_file(tls_ / "ca.key", tls_ / "server.key",
                             std::filesystem::copy_options::overwrite_existing);
  collector_->Signal(SIGHUP);
  absl::SleepFor(absl::Milliseconds(2500));  // Past gRPC's watch interval, 1 s.
  EXPECT_TRUE(GrpcTrusts(collector_->address(), new_ca_));
  EXPECT_TRUE(HttpsTrusts(collector_->http_address(), (next_ / "ca.crt").string()));
  EXPECT_EQ(collector_->Stop(), 0);
  const std::string log = ReadFile(dir_.path() / "collector.log");
  EXPECT_THAT(log, HasSubstr("reload: TLS certificate " + (tls_ / "server.crt").string() +
                             " reloaded, valid until"));
  EXPECT_THAT(log, HasSubstr("reload refused: TLS certificate not reloaded"));
  EXPECT_THAT(log, HasSubstr("still serving " + (tls_ / "server.crt").string()));
}

TEST_F(ReloadTest, TheReloadRpcReportsWhatChangedAndRefusesABadConfigOrFile) {
  CollectorTrust admin = collector_->admin();
  auto operations = [&] {
    return v1::OperationsService::NewStub(test::FreshChannel(collector_->address(), admin));
  };
  RotateToNext();
  {
    grpc::ClientContext context;
    v1::ReloadResponse response;
    grpc::Status s = operations()->Reload(&context, {}, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_GE(response.changes_size(), 1);
    EXPECT_THAT(response.changes(0), HasSubstr("reloaded, valid until"));
  }
  admin.ca_certificate_pem = new_ca_;
  ASSERT_TRUE(
      TimeUntil([&] { return GrpcTrusts(collector_->address(), new_ca_); }, absl::Now()).ok());
  // A config key that waits for a restart is named as such.
  {
    std::ofstream(dir_.path() / "collector.yaml", std::ios::app)
        << "limits:\n  max_batch_items: 7\n";
    grpc::ClientContext context;
    v1::ReloadResponse response;
    grpc::Status s = operations()->Reload(&context, {}, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_THAT(response.changes(),
                testing::Contains(HasSubstr("limits.max_batch_items: changed in")));
    EXPECT_THAT(response.changes(0), HasSubstr("unchanged"));
  }
  // The document caps apply live (RequestBookTest.NewCapsFromAReloadApplyToTheNextUpload).
  {
    std::ofstream(dir_.path() / "collector.yaml", std::ios::app)
        << "requests:\n  max_document_bytes: 4096\n";
    grpc::ClientContext context;
    v1::ReloadResponse response;
    grpc::Status s = operations()->Reload(&context, {}, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_THAT(response.changes(), testing::Contains("requests.max_document_bytes: applied"));
  }
  // A bad config is refused naming the key; the collector keeps serving.
  {
    std::ofstream(dir_.path() / "collector.yaml", std::ios::app) << "limitz: 1\n";
    grpc::ClientContext context;
    v1::ReloadResponse response;
    grpc::Status s = operations()->Reload(&context, {}, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(s.error_message(), HasSubstr("limitz"));
  }
  EXPECT_TRUE(GrpcTrusts(collector_->address(), new_ca_));
  EXPECT_EQ(collector_->Stop(), 0);
}

// Whether `path` comes to contain `text` within 20 s (checked every 50 ms).
bool LogShows(const std::filesystem::path& path, const std::string& text) {
  for (const absl::Time deadline = absl::Now() + absl::Seconds(20); absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(50))) {
    if (ReadFile(path).find(text) != std::string::npos) return true;
  }
  return false;
}

// The agent's SIGHUP: a changed pack is taken, a bad one refused while the old checks run.
TEST_F(ReloadTest, AgentSighupReloadsItsPacksAndKeepsTheOldChecksWhenANewPackIsBad) {
  ASSERT_TRUE(test::PutAsset(collector_->address(), collector_->admin(), "web", v1::IG1).ok());
  const std::string token =
      test::CreateEnrollmentToken(collector_->address(), collector_->admin(), {"web"}).value();
  ASSERT_TRUE(WritePrivateFile(dir_.path() / "enrollment.token", token).ok());
  const std::string fast = ReadFile(POSTURA_SOURCE_DIR "/tests/testdata/agent/packs/fast.yaml");
  const std::string pack = dir_.WriteFile("pack.yaml", fast);
  const std::string config = dir_.WriteFile(
      "agent.yaml",
      "agent_id: host-1\ncollector_address: " + collector_->address() +
          "\nassets: [web]\npacks: [" + pack +
          "]\nroot: " POSTURA_SOURCE_DIR "/tests/testdata/agent/hardened\nspool:\n  directory: " +
          (dir_.path() / "spool").string() + "\nca_file: " + collector_->ca_file() +
          "\nenrollment_token_file: " + (dir_.path() / "enrollment.token").string() + "\n");
  const std::filesystem::path log = dir_.path() / "agent.log";
  auto agent = test::ChildProcess::Start({POSTURA_AGENT_BIN, "--config", config}, log).value();
  ASSERT_TRUE(LogShows(log, "agent host-1: 2 checks")) << ReadFile(log);

  // The second check removed: one check from now on.
  dir_.WriteFile("pack.yaml", fast.substr(0, fast.find("  - id: only-root-uid0")));
  agent->Signal(SIGHUP);
  EXPECT_TRUE(LogShows(log, "packs reloaded: 1 checks (were 2)")) << ReadFile(log);

  dir_.WriteFile("pack.yaml", "name: broken\nchecks:\n  - id: x\n    outcomes: [NOPE]\n");
  agent->Signal(SIGHUP);
  EXPECT_TRUE(LogShows(log, "packs not reloaded, the 1 checks loaded before keep running: " + pack))
      << ReadFile(log);
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);  // Still running until asked to stop.
}

}  // namespace
}  // namespace postura
