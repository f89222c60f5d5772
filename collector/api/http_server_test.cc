// The HTTP layer through real requests on loopback, made with httplib's client.

#include "collector/api/http_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "collector/api/http_security_headers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "postura/v1/ingest.pb.h"
#include "tests/testing/gzip_bomb.h"
#include "tests/testing/process_stats.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Sends `events`, then either ends the stream or, if `end` is false, stays open and
// silent. Notifies `destroyed`, if given, when the server lets go of it.
class ScriptedSource : public SseSource {
 public:
  ScriptedSource(std::vector<SseEvent> events, bool end, absl::Notification* destroyed = nullptr)
      : events_(std::move(events)), end_(end), destroyed_(destroyed) {}
  ~ScriptedSource() override {
    if (destroyed_ != nullptr) destroyed_->Notify();
  }

  std::optional<SseEvent> Next(absl::Duration timeout) override {
    if (next_ < events_.size()) return events_[next_++];
    never_.WaitForNotificationWithTimeout(timeout);
    return std::nullopt;
  }
  bool Done() const override { return end_ && next_ == events_.size(); }

 private:
  const std::vector<SseEvent> events_;
  const bool end_;
  absl::Notification* const destroyed_;
  size_t next_ = 0;
  absl::Notification never_;
};

HttpResponse AssetGaps(const HttpRequest& request) {
  v1::Hello hello;
  hello.set_agent_id(request.path_params.at("asset_id"));
  return JsonResponse(hello);
}

HttpResponse EchoQuery(const HttpRequest& request) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& [name, value] : request.query_params) params.push_back({name, value});
  return HttpResponse{.body = params.dump()};
}

HttpResponse EchoBody(const HttpRequest& request) {
  return HttpResponse{.content_type = "text/plain", .body = request.body};
}

HttpResponse Fail(const HttpRequest& request) {
  return ErrorResponse(absl::FailedPreconditionError(request.path_params.at("why")));
}

HttpResponse Throw(const HttpRequest& /*request*/) { throw std::runtime_error("boom"); }

std::vector<HttpRoute> TestRoutes() {
  return {
      {"GET", "/api/v1/assets/{asset_id}/gaps", AssetGaps},
      {"GET", "/query", EchoQuery},
      {"POST", "/echo", EchoBody},
      {"GET", "/fail/{why}", Fail},
      {"GET", "/throw", Throw},
  };
}

// Sends `request` as is to `address` (host:port) and returns everything the server sends
// back until it closes the connection, or 3 seconds pass. If `then` is not empty, it follows
// on the same connection 200 ms later, once the server has answered `request`. `request` is
// queued whole at once (up to 416 KiB or more), so that a server that answers early and
// closes cannot make sending it fail: what it answered is then still read.
std::string RawExchange(const std::string& address, absl::string_view request,
                        absl::string_view then = "") {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port)) return "bad address";
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, address.substr(0, colon).c_str(), &peer.sin_addr);
  timeval timeout{.tv_sec = 3, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  const int send_buffer = 1 << 20;  // Linux caps it at twice net.core.wmem_max.
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof(send_buffer));
  std::string response;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof(peer)) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    if (!then.empty()) {
      absl::SleepFor(absl::Milliseconds(200));
      send(fd, then.data(), then.size(), MSG_NOSIGNAL);  // Fails if the server has closed.
    }
    char buffer[4096];
    for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;) response.append(buffer, n);
  }
  close(fd);
  return response;
}

// The number of responses in what RawExchange returned.
int CountResponses(absl::string_view exchange) {
  int count = 0;
  for (size_t at = exchange.find("HTTP/1.1 "); at != absl::string_view::npos;
       at = exchange.find("HTTP/1.1 ", at + 1)) {
    ++count;
  }
  return count;
}

// This process's peak resident memory (VmHWM), in MiB; ResetPeakRss sets it back to the
// current resident memory (Linux, /proc/self/clear_refs).
double PeakRssMib() { return test::ProcessMemoryMib(getpid(), "VmHWM"); }
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<HttpStreamRoute> streams = {}) {
    absl::StatusOr<std::unique_ptr<HttpServer>> server =
        HttpServer::Start(options_, TestRoutes(), std::move(streams),
                          {{"/ui/index.html", "text/html; charset=utf-8", "<h1>Postura</h1>"}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  std::unique_ptr<httplib::Client> Client() {
    auto client = std::make_unique<httplib::Client>(absl::StrCat("http://", server_->address()));
    client->set_read_timeout(5, 0);
    return client;
  }

  HttpServerOptions options_{.listen_address = "127.0.0.1:0",
                             .limits = {.max_connections = 4, .max_body_bytes = 64},
                             .sse_keepalive_interval = absl::Seconds(15)};
  std::unique_ptr<HttpServer> server_;
};

nlohmann::json ParseJson(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

TEST_F(HttpServerTest, AddressReportsThePortChosenForPortZero) {
  StartServer();
  EXPECT_THAT(server_->address(), testing::StartsWith("127.0.0.1:"));
  EXPECT_NE(server_->address(), "127.0.0.1:0");
}

TEST_F(HttpServerTest, JsonRouteReturnsPathParamWithDefaultFieldsPrinted) {
  StartServer();
  httplib::Result result = Client()->Get("/api/v1/assets/web-01/gaps");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  nlohmann::json body = ParseJson(result->body);
  EXPECT_EQ(body, nlohmann::json({{"agentId", "web-01"}, {"agentVersion", ""}})) << result->body;
}

TEST_F(HttpServerTest, UnknownPathIs404WithJsonError) {
  StartServer();
  httplib::Result result = Client()->Get("/api/v1/nothing");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  nlohmann::json body = ParseJson(result->body);
  EXPECT_EQ(body["error"]["code"], "NOT_FOUND") << result->body;
  EXPECT_THAT(body["error"]["message"].get<std::string>(), HasSubstr("/api/v1/nothing"));
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllowHeaderAndJsonError) {
  StartServer();
  httplib::Result result = Client()->Post("/api/v1/assets/web-01/gaps", "{}", "application/json");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 405);
  EXPECT_EQ(result->get_header_value("Allow"), "GET");
  nlohmann::json body = ParseJson(result->body);
  EXPECT_EQ(body["error"]["code"], "UNIMPLEMENTED") << result->body;
}

TEST_F(HttpServerTest, HandlerErrorStatusIsMappedToHttpStatusAndJsonBody) {
  StartServer();
  httplib::Result result = Client()->Get("/fail/not-yet");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 409);
  EXPECT_EQ(ParseJson(result->body),
            nlohmann::json({{"error", {{"code", "FAILED_PRECONDITION"}, {"message", "not-yet"}}}}))
      << result->body;
}

TEST_F(HttpServerTest, QueryParamsAreDecodedAndKeepRepeatedKeys) {
  StartServer();
  httplib::Result result = Client()->Get("/query?tag=a&tag=b&name=x%20y");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(ParseJson(result->body),
            nlohmann::json::parse(R"([["name","x y"],["tag","a"],["tag","b"]])"))
      << result->body;
}

TEST_F(HttpServerTest, PostBodyReachesHandler) {
  StartServer();
  httplib::Result result = Client()->Post("/echo", "hello", "text/plain");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "hello");
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413AndTheServerKeepsServing) {
  StartServer();
  httplib::Result too_big = Client()->Post("/echo", std::string(65, 'x'), "text/plain");
  ASSERT_TRUE(too_big) << too_big.error();
  EXPECT_EQ(too_big->status, 413);
  EXPECT_EQ(ParseJson(too_big->body)["error"]["code"], "INVALID_ARGUMENT") << too_big->body;

  httplib::Result at_limit = Client()->Post("/echo", std::string(64, 'x'), "text/plain");
  ASSERT_TRUE(at_limit) << at_limit.error();
  EXPECT_EQ(at_limit->status, 200);
  EXPECT_EQ(at_limit->body.size(), 64u);
}

TEST_F(HttpServerTest, ChunkedRequestBodyIsRefusedWith411) {
  StartServer();
  // Sent whole, so the server has read it all when it answers early and closes; a client
  // still writing the body then could see its write fail.
  const std::string response = RawExchange(server_->address(),
                                           "POST /echo HTTP/1.1\r\nHost: test\r\n"
                                           "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                                           "3\r\nabc\r\n0\r\n\r\n");
  EXPECT_THAT(response, testing::StartsWith("HTTP/1.1 411 ")) << response;
  EXPECT_THAT(response, HasSubstr("INVALID_ARGUMENT"));
}

TEST_F(HttpServerTest, PostWithoutContentLengthIsRefusedWith411AtOnce) {
  StartServer();
  const absl::Time start = absl::Now();
  const std::string response = RawExchange(
      server_->address(), "POST /echo HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(response, testing::StartsWith("HTTP/1.1 411 ")) << response;
  EXPECT_THAT(response, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

// A request sent after a refused one, on the same connection: if the connection stayed
// open it would be answered, as would a request hidden in the refused one's unread body
// (behind a proxy that shares connections, someone else's request).
constexpr absl::string_view kSmuggled = "GET /query?smuggled=1 HTTP/1.1\r\nHost: test\r\n\r\n";

TEST_F(HttpServerTest, RefusedChunkedBodyClosesTheConnection) {
  StartServer();
  // Without "Connection: close" from the client: the server must close by itself.
  const std::string response = RawExchange(server_->address(),
                                           "POST /echo HTTP/1.1\r\nHost: test\r\n"
                                           "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                                           kSmuggled);
  EXPECT_THAT(response, testing::StartsWith("HTTP/1.1 411 ")) << response;
  EXPECT_THAT(response, Not(HasSubstr("smuggled"))) << response;
  EXPECT_EQ(CountResponses(response), 1) << response;
}

TEST_F(HttpServerTest, CompressedBodyIsRefusedWith415BeforeItIsInflated) {
  options_.limits.max_body_bytes = 1 << 20;
  StartServer();
  // 256 MiB of zeros: some 250 KB of gzip, well under the body limit. httplib inflated it
  // whole into the request before any handler ran.
  const std::string bomb = test::GzipOfZeros(256);
  ASSERT_LT(bomb.size(), options_.limits.max_body_bytes);
  ResetPeakRss();
  const double peak_before = PeakRssMib();
  const std::string response = RawExchange(
      server_->address(), absl::StrCat("POST /echo HTTP/1.1\r\nHost: test\r\n"
                                       "Content-Type: text/plain\r\nContent-Encoding: gzip\r\n"
                                       "Content-Length: ",
                                       bomb.size(), "\r\n\r\n", bomb));
  const double peak_after = PeakRssMib();
  EXPECT_LT(peak_after - peak_before, 32)
      << "peak RSS rose from " << peak_before << " MiB to " << peak_after << " MiB";
  EXPECT_THAT(response, testing::StartsWith("HTTP/1.1 415 ")) << response.substr(0, 300);
  EXPECT_THAT(response, HasSubstr("Accept-Encoding: identity\r\n")) << response.substr(0, 300);
  EXPECT_THAT(response, HasSubstr("INVALID_ARGUMENT")) << response.substr(0, 300);

  httplib::Result plain = Client()->Post("/echo", "hello", "text/plain");
  ASSERT_TRUE(plain) << plain.error();
  EXPECT_EQ(plain->status, 200);
  EXPECT_EQ(plain->body, "hello");
}

TEST_F(HttpServerTest, EveryContentEncodingIsRefusedWith415AndClosesTheConnection) {
  StartServer();
  for (const char* encoding : {"gzip", "deflate", "br", "x-gzip", "identity", "GZIP, br"}) {
    const std::string response = RawExchange(
        server_->address(),
        absl::StrCat("POST /echo HTTP/1.1\r\nHost: test\r\ncontent-encoding: ", encoding,
                     "\r\nContent-Length: 5\r\n\r\nhello"),
        kSmuggled);
    EXPECT_THAT(response, testing::StartsWith("HTTP/1.1 415 ")) << encoding << ": " << response;
    EXPECT_THAT(response, HasSubstr("INVALID_ARGUMENT")) << encoding;
    EXPECT_THAT(response, Not(HasSubstr("smuggled"))) << encoding << ": " << response;
    EXPECT_EQ(CountResponses(response), 1) << encoding << ": " << response;
  }
}

// Debian's httplib is a shared library with these limits compiled in; pinned here so that a
// change of library shows. (Each line is buffered whole before it is measured, and the
// number of header lines has no limit: docs/security.md.)
TEST_F(HttpServerTest, RequestLineAndHeaderLinesOver8KiBAreRefused) {
  StartServer();
  const std::string long_target =
      RawExchange(server_->address(), absl::StrCat("GET /query?x=", std::string(8200, 'a'),
                                                   " HTTP/1.1\r\nHost: test\r\n"
                                                   "Connection: close\r\n\r\n"));
  EXPECT_THAT(long_target, testing::StartsWith("HTTP/1.1 414 ")) << long_target.substr(0, 200);
  const std::string long_header = RawExchange(
      server_->address(), absl::StrCat("GET /query HTTP/1.1\r\nHost: test\r\nX-Big: ",
                                       std::string(8200, 'a'), "\r\nConnection: close\r\n\r\n"));
  EXPECT_THAT(long_header, testing::StartsWith("HTTP/1.1 400 ")) << long_header.substr(0, 200);
}

TEST_F(HttpServerTest, HandlerThatThrowsGets500AndTheServerKeepsServing) {
  StartServer();
  httplib::Result thrown = Client()->Get("/throw");
  ASSERT_TRUE(thrown) << thrown.error();
  EXPECT_EQ(thrown->status, 500);
  EXPECT_EQ(ParseJson(thrown->body)["error"]["code"], "INTERNAL") << thrown->body;

  httplib::Result after = Client()->Get("/api/v1/assets/a/gaps");
  ASSERT_TRUE(after) << after.error();
  EXPECT_EQ(after->status, 200);
}

TEST_F(HttpServerTest, EveryResponseCarriesTheSecurityHeadersOnce) {
  StartServer();
  auto client = Client();
  std::vector<httplib::Result> results;
  results.push_back(client->Get("/ui/index.html"));              // A page.
  results.push_back(client->Get("/api/v1/assets/web-01/gaps"));  // An API answer.
  results.push_back(client->Get("/api/v1/nothing"));             // httplib's own 404.
  results.push_back(client->Post("/api/v1/assets/web-01/gaps", "{}", "application/json"));
  for (const httplib::Result& result : results) {
    ASSERT_TRUE(result) << result.error();
    for (const auto& [name, value] : kSecurityHeaders) {
      EXPECT_EQ(result->get_header_value_count(name), 1u) << name << " on " << result->status;
      EXPECT_EQ(result->get_header_value(name), value) << result->status;
    }
  }
  EXPECT_THAT(results[0]->get_header_value("Content-Security-Policy"),
              HasSubstr("script-src 'self'; style-src 'self'"));
}

TEST_F(HttpServerTest, StaticRouteServesItsBodyAndContentType) {
  StartServer();
  httplib::Result result = Client()->Get("/ui/index.html");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(result->body, "<h1>Postura</h1>");
}

TEST_F(HttpServerTest, SseClientReceivesThreeEventsInOrderWithSpecFraming) {
  StartServer({{"/events/{asset_id}", [](const HttpRequest& request) {
                  std::vector<SseEvent> events = {
                      {.event = "score", .data = request.path_params.at("asset_id")},
                      {.event = "score", .data = "line one\nline two\r\nline three"},
                      {.data = "plain", .id = "7"},
                  };
                  return std::make_unique<ScriptedSource>(std::move(events), /*end=*/true);
                }}});
  httplib::Result result = Client()->Get("/events/web-01");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_EQ(result->get_header_value("Cache-Control"), "no-cache");
  EXPECT_EQ(result->body,
            "event: score\ndata: web-01\n\n"
            "event: score\ndata: line one\ndata: line two\ndata: line three\n\n"
            "id: 7\ndata: plain\n\n");
}

TEST_F(HttpServerTest, SseOpenErrorIsAnsweredAsJsonError) {
  StartServer({{"/events/{asset_id}",
                [](const HttpRequest& request) -> absl::StatusOr<std::unique_ptr<SseSource>> {
                  return absl::NotFoundError(request.path_params.at("asset_id"));
                }}});
  httplib::Result result = Client()->Get("/events/ghost");
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(ParseJson(result->body)["error"]["message"], "ghost") << result->body;
}

TEST_F(HttpServerTest, SseSendsKeepaliveCommentAfterSilence) {
  options_.sse_keepalive_interval = absl::Milliseconds(100);
  StartServer({{"/events", [](const HttpRequest&) {
                  return std::make_unique<ScriptedSource>(
                      std::vector<SseEvent>{{.event = "hello", .data = "1"}}, /*end=*/false);
                }}});
  std::string received;
  std::unique_ptr<httplib::Client> client = Client();
  client->set_read_timeout(2, 0);  // Fails the test if no keepalive ever comes.
  client->Get("/events", [&](const char* data, size_t size) {
    received.append(data, size);
    return received.find(": keepalive\n\n") == std::string::npos;
  });
  EXPECT_EQ(received, "event: hello\ndata: 1\n\n: keepalive\n\n");
}

TEST_F(HttpServerTest, SseEventsArriveUncompressedWhenTheClientAcceptsGzip) {
  StartServer({{"/events", [](const HttpRequest&) {
                  return std::make_unique<ScriptedSource>(
                      std::vector<SseEvent>{{.event = "hello", .data = "1"}}, /*end=*/false);
                }}});
  std::string received;
  std::string encoding = "unset";
  std::unique_ptr<httplib::Client> client = Client();
  client->set_read_timeout(2, 0);  // A compressed, buffered stream would time out.
  client->Get(
      "/events", {{"Accept-Encoding", "gzip, deflate, br"}},
      [&](const httplib::Response& response) {
        encoding = response.get_header_value("Content-Encoding");
        return true;
      },
      [&](const char* data, size_t size) {
        received.append(data, size);
        return received.find("\n\n") == std::string::npos;
      });
  EXPECT_EQ(encoding, "");
  EXPECT_EQ(received, "event: hello\ndata: 1\n\n");
}

TEST_F(HttpServerTest, SseStreamEndsWhenTheClientLeaves) {
  options_.sse_keepalive_interval = absl::Milliseconds(100);
  absl::Notification source_destroyed;
  StartServer({{"/events", [&](const HttpRequest&) {
                  return std::make_unique<ScriptedSource>(std::vector<SseEvent>{{.data = "1"}},
                                                          /*end=*/false, &source_destroyed);
                }}});
  Client()->Get("/events", [](const char*, size_t) { return false; });  // Leaves at once.
  EXPECT_TRUE(source_destroyed.WaitForNotificationWithTimeout(absl::Seconds(3)));
}

TEST_F(HttpServerTest, ShutdownEndsAnOpenSseStreamWithinTwoSeconds) {
  StartServer({{"/events", [](const HttpRequest&) {
                  return std::make_unique<ScriptedSource>(std::vector<SseEvent>{}, /*end=*/false);
                }}});
  absl::Notification streaming;
  absl::Notification client_done;
  std::unique_ptr<httplib::Client> client = Client();
  std::thread reader([&] {
    client->Get(
        "/events",
        [&](const httplib::Response&) {
          streaming.Notify();
          return true;
        },
        [](const char*, size_t) { return true; });
    client_done.Notify();
  });
  EXPECT_TRUE(streaming.WaitForNotificationWithTimeout(absl::Seconds(5)));
  const absl::Time start = absl::Now();
  server_->Shutdown();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_TRUE(client_done.WaitForNotificationWithTimeout(absl::Seconds(2)));
  reader.join();
}

TEST_F(HttpServerTest, ShutdownWaitsLittleForAnIdleKeepAliveConnection) {
  StartServer();
  std::unique_ptr<httplib::Client> client = Client();
  client->set_keep_alive(true);
  httplib::Result result = client->Get("/query");
  ASSERT_TRUE(result) << result.error();
  const absl::Time start = absl::Now();
  server_->Shutdown();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(HttpServerTest, ShutdownIsIdempotentAndStopsListening) {
  StartServer();
  server_->Shutdown();
  server_->Shutdown();
  std::unique_ptr<httplib::Client> client = Client();
  client->set_connection_timeout(1, 0);
  EXPECT_FALSE(client->Get("/query"));
}

TEST(HttpServerStartTest, RejectsMalformedAddressesPatternsAndMethods) {
  const auto start = [](const std::string& address, const std::string& method,
                        const std::string& path) {
    return HttpServer::Start({.listen_address = address}, {{method, path, EchoBody}}).status();
  };
  EXPECT_EQ(start("127.0.0.1", "GET", "/a").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(start("127.0.0.1:70000", "GET", "/a").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(start("::1:0", "GET", "/a").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(start("127.0.0.1:0", "GET", "a").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(start("127.0.0.1:0", "GET", "/a/{b").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(start("127.0.0.1:0", "GET", "/a/x{b}").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(start("127.0.0.1:0", "GET", "/{b}/{b}").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(start("127.0.0.1:0", "FETCH", "/a").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpServer::Start({}, {{"GET", "/a", nullptr}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(start("127.0.0.1:0", "GET", "/a/{b}").ok());
}

TEST(HttpServerStartTest, AddressInUseIsUnavailable) {
  absl::StatusOr<std::unique_ptr<HttpServer>> first = HttpServer::Start({}, {});
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<HttpServer>> second =
      HttpServer::Start({.listen_address = (*first)->address()}, {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
}

TEST(HttpErrorResponseTest, MapsStatusCodesToHttpStatuses) {
  const std::vector<std::pair<absl::Status, int>> cases = {
      {absl::InvalidArgumentError("m"), 400},    {absl::UnauthenticatedError("m"), 401},
      {absl::PermissionDeniedError("m"), 403},   {absl::NotFoundError("m"), 404},
      {absl::FailedPreconditionError("m"), 409}, {absl::ResourceExhaustedError("m"), 429},
      {absl::UnavailableError("m"), 503},        {absl::InternalError("m"), 500},
      {absl::DataLossError("m"), 500},           {absl::OkStatus(), 500},
      {absl::AlreadyExistsError("m"), 409},      {absl::AbortedError("m"), 409},
      {absl::OutOfRangeError("m"), 400},         {absl::DeadlineExceededError("m"), 504},
  };
  for (const auto& [status, http_status] : cases) {
    HttpResponse response = ErrorResponse(status);
    EXPECT_EQ(response.status, http_status) << status;
    EXPECT_EQ(response.content_type, "application/json");
  }
  EXPECT_EQ(ErrorResponse(absl::ResourceExhaustedError("slow \"down\"")).body,
            R"({"error":{"code":"RESOURCE_EXHAUSTED","message":"slow \"down\""}})");
}

TEST(SseSinkTest, FramesEventsAndStopsWritingOnceTheClientIsGone) {
  std::vector<std::string> writes;
  bool client_connected = true;
  SseSink sink([&](absl::string_view bytes) {
    writes.emplace_back(bytes);
    return client_connected;
  });
  EXPECT_TRUE(sink.Send("a\nb", "x\r\ny\rz\n"));
  EXPECT_TRUE(sink.Send("", ""));
  EXPECT_TRUE(sink.Comment("ping"));
  client_connected = false;
  EXPECT_FALSE(sink.Send("late", "1"));
  EXPECT_FALSE(sink.Send("later", "2"));
  EXPECT_THAT(writes, testing::ElementsAre("event: ab\ndata: x\ndata: y\ndata: z\ndata: \n\n",
                                           "data: \n\n", ": ping\n\n", "event: late\ndata: 1\n\n"));
}

}  // namespace
}  // namespace postura::collector
