#include "collector/alerting/webhook_sink.h"

#include <httplib.h>

#include <thread>

#include "collector/alerting/alert_delivery.h"
#include "collector/alerting/webhook_test_receiver.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using test::WebhookTestReceiver;

WebhookOptions HookTo(const std::string& url, absl::Duration timeout = absl::Seconds(5)) {
  absl::StatusOr<ParsedUrl> parsed = ParseWebhookUrl(url);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  WebhookOptions options;
  options.name = "hook";
  options.url = url;
  options.scheme_host = parsed->scheme_host;
  options.path = parsed->path;
  options.secret = "s3cret-shared";
  options.timeout = timeout;
  return options;
}

v1::AlertTransition Firing() {
  v1::AlertTransition transition;
  transition.set_id("target_missed/asset/web");
  transition.set_rule("target_missed");
  transition.set_kind("target_missed");
  transition.set_state(v1::AlertTransition::FIRING);
  transition.set_asset_id("web");
  transition.set_summary("asset web does not meet all of its 1 targets");
  transition.set_at_unix_nanos(1'763'900'000'000'000'000);
  (*transition.mutable_details())["targetCount"] = "1";
  return transition;
}

TEST(WebhookSignatureTest, MatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(WebhookSignature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WebhookSignatureTest, MatchesOpensslOverTheBody) {
  test::TempDir dir;
  const std::string body = WebhookBody(Firing());
  const std::string path = dir.WriteFile("body.json", body);
  absl::StatusOr<test::ProcessResult> openssl = test::RunProcess(
      {"/usr/bin/openssl", "dgst", "-sha256", "-hmac", "s3cret-shared", "-r", path});
  ASSERT_TRUE(openssl.ok()) << openssl.status();
  // "-r" prints "<hex> *<file>".
  const std::string hex = openssl->out.substr(0, openssl->out.find(' '));
  EXPECT_EQ(WebhookSignature("s3cret-shared", body), "sha256=" + hex);
}

TEST(WebhookBodyTest, IsTheTransitionAsCamelCaseJson) {
  const std::string body = WebhookBody(Firing());
  EXPECT_NE(body.find("\"idempotencyKey\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"state\":\"FIRING\""), std::string::npos) << body;
  v1::AlertTransition parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(body, &parsed).ok());
  EXPECT_EQ(parsed.SerializeAsString(), Firing().SerializeAsString());
}

TEST(WebhookSinkTest, PostsTheSignedBodyWithItsKeys) {
  std::unique_ptr<WebhookTestReceiver> receiver = WebhookTestReceiver::Start();
  ASSERT_NE(receiver, nullptr);
  WebhookSink sink(HookTo(receiver->url()));
  v1::AlertTransition transition = Firing();
  transition.set_sequence(7);
  transition.set_idempotency_key("target_missed/asset/web#7");
  ASSERT_TRUE(sink.Deliver(transition).ok());
  std::vector<WebhookTestReceiver::Request> requests = receiver->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body, WebhookBody(transition));
  EXPECT_EQ(requests[0].signature, WebhookSignature("s3cret-shared", requests[0].body));
  EXPECT_EQ(requests[0].idempotency_key, "target_missed/asset/web#7");
  EXPECT_EQ(requests[0].alert_id, "target_missed/asset/web");
  EXPECT_EQ(requests[0].content_type, "application/json");
}

TEST(WebhookSinkTest, AnAnswerOtherThan2xxOrNoneIsAnError) {
  std::unique_ptr<WebhookTestReceiver> receiver = WebhookTestReceiver::Start();
  ASSERT_NE(receiver, nullptr);
  receiver->AnswerWith(500);
  WebhookSink sink(HookTo(receiver->url()));
  absl::Status refused = sink.Deliver(Firing());
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("answered 500"), std::string::npos) << refused;
  const int port = receiver->port();
  receiver.reset();  // Nobody listens there now.
  WebhookSink nobody(HookTo(absl::StrCat("http://127.0.0.1:", port, "/hook")));
  EXPECT_EQ(nobody.Deliver(Firing()).code(), absl::StatusCode::kUnavailable);
}

TEST(WebhookSinkTest, AHangingReceiverTimesOut) {
  std::unique_ptr<WebhookTestReceiver> receiver = WebhookTestReceiver::Start();
  ASSERT_NE(receiver, nullptr);
  receiver->Hang(true);
  WebhookSink sink(HookTo(receiver->url(), absl::Milliseconds(400)));
  const absl::Time start = absl::Now();
  EXPECT_EQ(sink.Deliver(Firing()).code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  receiver->Hang(false);
}

// An HTTPS receiver with a self-signed certificate for 127.0.0.1 made by openssl.
TEST(WebhookSinkTest, HttpsVerifiesTheReceiverAgainstTheConfiguredCa) {
  test::TempDir dir;
  const std::string cert = (dir.path() / "cert.pem").string();
  const std::string key = (dir.path() / "key.pem").string();
  absl::StatusOr<test::ProcessResult> made = test::RunProcess(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
       cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  ASSERT_TRUE(made.ok()) << made.status();
  httplib::SSLServer server(cert.c_str(), key.c_str());
  ASSERT_TRUE(server.is_valid());
  int accepted = 0;
  server.Post("/hook", [&](const httplib::Request&, httplib::Response& response) {
    ++accepted;  // Served on one connection at a time by this test.
    response.status = 204;
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { server.listen_after_bind(); });

  WebhookOptions trusted = HookTo(absl::StrCat("https://127.0.0.1:", port, "/hook"));
  trusted.ca_file = cert;
  EXPECT_TRUE(WebhookSink(trusted).Deliver(Firing()).ok());
  // Without the CA, the system's store does not know the certificate: refused.
  WebhookOptions untrusted = trusted;
  untrusted.ca_file.clear();
  EXPECT_EQ(WebhookSink(untrusted).Deliver(Firing()).code(), absl::StatusCode::kUnavailable);
  server.stop();
  serving.join();
  EXPECT_EQ(accepted, 1);
}

TEST(WebhookDeliveryTest, RetriesWithTheSameKeyUntilTheReceiverAccepts) {
  std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
      EvidenceStore::Open({.path = "/store", .env = env.get()});
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<std::unique_ptr<AlertOutbox>> outbox = AlertOutbox::Open(**store, {"hook"});
  ASSERT_TRUE(outbox.ok()) << outbox.status();
  std::unique_ptr<WebhookTestReceiver> receiver = WebhookTestReceiver::Start();
  ASSERT_NE(receiver, nullptr);
  receiver->AnswerWith(500);
  WebhookSink sink(HookTo(receiver->url()));
  AlertDelivery delivery(
      **outbox, sink,
      {.initial_backoff = absl::Milliseconds(20), .max_backoff = absl::Milliseconds(50)});
  v1::AlertTransition transition = Firing();
  ASSERT_TRUE((*outbox)->Record(transition).ok());
  ASSERT_TRUE(receiver->WaitForRequests(3, absl::Seconds(30)));
  receiver->AnswerWith(200);
  ASSERT_TRUE(receiver->WaitForAccepted(1, absl::Seconds(30)));
  for (int i = 0; i < 100 && (*outbox)->depth() > 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_EQ((*outbox)->depth(), 0u);
  (*outbox)->Stop();
  delivery.Join();
  std::vector<WebhookTestReceiver::Request> requests = receiver->requests();
  ASSERT_GE(requests.size(), 4u);
  for (const WebhookTestReceiver::Request& request : requests) {
    EXPECT_EQ(request.idempotency_key, "target_missed/asset/web#1");
    EXPECT_EQ(request.body, requests[0].body);
  }
  EXPECT_EQ(receiver->accepted().size(), 1u);
  const DeliveryCounters counters = delivery.counters();
  EXPECT_EQ(counters.ok, 1u);
  EXPECT_EQ(counters.failed, requests.size() - 1);
}

TEST(WebhookDeliveryTest, BackoffDoublesUpToItsCap) {
  const DeliveryPolicy policy{.initial_backoff = absl::Seconds(1), .max_backoff = absl::Seconds(5)};
  EXPECT_EQ(AlertDelivery::Backoff(policy, 1), absl::Seconds(1));
  EXPECT_EQ(AlertDelivery::Backoff(policy, 2), absl::Seconds(2));
  EXPECT_EQ(AlertDelivery::Backoff(policy, 3), absl::Seconds(4));
  EXPECT_EQ(AlertDelivery::Backoff(policy, 4), absl::Seconds(5));
  EXPECT_EQ(AlertDelivery::Backoff(policy, 1000), absl::Seconds(5));
}

}  // namespace
}  // namespace postura::collector
