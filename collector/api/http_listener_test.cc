// The HTTP listener's bounds and deadlines (http_listener.h) through a real HttpServer on
// loopback (plain HTTP; tests/http_limits_test.cc does the same over TLS against a real
// collector), and its rate limit per credential.

#include "collector/api/http_listener.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/api/http_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;

// A TCP connection from `source` (a loopback address) to the server at `address`.
class RawClient {
 public:
  RawClient(const std::string& source, const std::string& address) {
    const size_t colon = address.rfind(':');
    int port = 0;
    EXPECT_TRUE(absl::SimpleAtoi(address.substr(colon + 1), &port));
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)), 0) << source;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, address.substr(0, colon).c_str(), &to.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0;
  }
  ~RawClient() { close(fd_); }

  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Waits up to `timeout` for the server to close the connection; what it sent before
  // goes to `received`. False if it is still open.
  bool ClosedWithin(absl::Duration timeout, std::string* received = nullptr) {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
      if (left <= 0) return false;
      pollfd fd{fd_, POLLIN, 0};
      if (poll(&fd, 1, static_cast<int>(left)) <= 0) continue;
      char buffer[4096];
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return true;
      if (received != nullptr) received->append(buffer, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class HttpListenerTest : public ::testing::Test {
 protected:
  void StartServer() {
    absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(
        options_, {{"GET", "/ok", [](const HttpRequest&) { return HttpResponse{.body = "{}"}; }}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  std::unique_ptr<httplib::Client> Client() {
    auto client = std::make_unique<httplib::Client>(absl::StrCat("http://", server_->address()));
    client->set_connection_timeout(5, 0);
    client->set_read_timeout(5, 0);
    return client;
  }

  HttpServerOptions options_{.listen_address = "127.0.0.1:0"};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpListenerTest, ARequestArrivingTooSlowlyIsCutAtItsDeadline) {
  options_.limits.request_timeout = absl::Seconds(1);
  StartServer();
  RawClient slow("127.0.0.2", server_->address());
  ASSERT_TRUE(slow.connected());
  const absl::Time start = absl::Now();
  ASSERT_TRUE(slow.Send("GET /ok HTTP/1.1\r\n"));
  bool closed = false;
  // A header line every 200 ms: each read is quick, the whole request is not.
  for (int i = 0; i < 25 && !closed; ++i) {
    slow.Send(absl::StrCat("X-Slow-", i, ": 1\r\n"));
    closed = slow.ClosedWithin(absl::Milliseconds(200));
  }
  EXPECT_TRUE(closed || slow.ClosedWithin(absl::Seconds(2)));
  const absl::Duration held = absl::Now() - start;
  EXPECT_GE(held, absl::Milliseconds(900));
  EXPECT_LT(held, absl::Seconds(3));
  EXPECT_EQ(server_->listener_stats().timed_out, 1u);
}

TEST_F(HttpListenerTest, SlowClientsHoldNoThreadOfAnyoneElse) {
  options_.limits.max_connections_per_peer = 64;
  StartServer();
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 64; ++i) {
    slow.push_back(std::make_unique<RawClient>("127.0.0.2", server_->address()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send("GET /ok HTTP/1.1\r\nX-Slow: 1\r\n"));
  }
  auto client = Client();
  for (int i = 0; i < 10; ++i) {
    const absl::Time start = absl::Now();
    httplib::Result result = client->Get("/ok");
    ASSERT_TRUE(result) << result.error();
    EXPECT_EQ(result->status, 200);
    EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  }
  EXPECT_GE(server_->listener_stats().open, 64u);
}

TEST_F(HttpListenerTest, ConnectionsOverThePeerBoundCloseAtOnceAndOthersAreServed) {
  options_.limits.max_connections_per_peer = 2;
  StartServer();
  RawClient first("127.0.0.2", server_->address());
  RawClient second("127.0.0.2", server_->address());
  RawClient third("127.0.0.2", server_->address());
  ASSERT_TRUE(third.connected());  // The kernel accepts; the listener then closes it.
  EXPECT_TRUE(third.ClosedWithin(absl::Seconds(2)));
  EXPECT_FALSE(first.ClosedWithin(absl::Milliseconds(100)));
  httplib::Result result = Client()->Get("/ok");  // From 127.0.0.1.
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 200);
  const HttpListenerStats stats = server_->listener_stats();
  EXPECT_EQ(stats.refused_per_peer, 1u);
  EXPECT_EQ(stats.refused_total, 0u);
}

TEST_F(HttpListenerTest, ConnectionsOverTheTotalBoundCloseAtOnce) {
  options_.limits.max_connections = 3;
  StartServer();
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 2; i <= 4; ++i) {
    held.push_back(std::make_unique<RawClient>(absl::StrCat("127.0.0.", i), server_->address()));
  }
  RawClient over("127.0.0.5", server_->address());
  EXPECT_TRUE(over.ClosedWithin(absl::Seconds(2)));
  EXPECT_FALSE(held[0]->ClosedWithin(absl::Milliseconds(100)));
  EXPECT_EQ(server_->listener_stats().refused_total, 1u);
  held.clear();  // Their threads see them go and free their places.
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (server_->listener_stats().open > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));  // Polls a figure; no event to wait on.
  }
  EXPECT_EQ(server_->listener_stats().open, 0u);
  httplib::Result result = Client()->Get("/ok");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 200);
}

TEST_F(HttpListenerTest, AnIdleKeptAliveConnectionClosesAfterIdleTimeout) {
  options_.limits.idle_timeout = absl::Seconds(1);
  StartServer();
  RawClient client("127.0.0.1", server_->address());
  ASSERT_TRUE(client.Send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"));
  const absl::Time answered = absl::Now();
  std::string received;
  EXPECT_TRUE(client.ClosedWithin(absl::Seconds(3), &received));
  EXPECT_THAT(received, HasSubstr("HTTP/1.1 200"));
  EXPECT_GE(absl::Now() - answered, absl::Milliseconds(900));
  EXPECT_EQ(server_->listener_stats().timed_out, 0u);
}

TEST_F(HttpListenerTest, ShutdownClosesConnectionsStillArriving) {
  StartServer();
  RawClient slow("127.0.0.2", server_->address());
  ASSERT_TRUE(slow.Send("GET /ok HTTP/1.1\r\n"));
  const absl::Time start = absl::Now();
  server_->Shutdown();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_TRUE(slow.ClosedWithin(absl::Seconds(1)));
}

TEST_F(HttpListenerTest, ACredentialOverItsRateIsRefused429WithRetryAfter) {
  options_.limits.requests_per_second_per_credential = 0.5;
  options_.limits.request_burst_per_credential = 2;
  StartServer();
  auto client = Client();
  const httplib::Headers token = {{"Authorization", "Bearer token-one"}};
  for (int i = 0; i < 2; ++i) {
    httplib::Result ok = client->Get("/ok", token);
    ASSERT_TRUE(ok) << ok.error();
    EXPECT_EQ(ok->status, 200);
  }
  httplib::Result refused = client->Get("/ok", token);
  ASSERT_TRUE(refused) << refused.error();
  EXPECT_EQ(refused->status, 429);
  EXPECT_THAT(refused->body, HasSubstr("RESOURCE_EXHAUSTED"));
  int retry_after = 0;
  ASSERT_TRUE(absl::SimpleAtoi(refused->get_header_value("Retry-After"), &retry_after));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);
  // Another credential, and a session cookie, have their own buckets.
  httplib::Result other = client->Get("/ok", {{"Authorization", "Bearer token-two"}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  for (int i = 0; i < 3; ++i) {
    httplib::Result session = client->Get("/ok", {{"Cookie", "a=b; postura_session=s1"}});
    ASSERT_TRUE(session);
    EXPECT_EQ(session->status, i < 2 ? 200 : 429);
  }
}

}  // namespace
}  // namespace postura::collector
