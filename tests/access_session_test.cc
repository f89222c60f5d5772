// Who may do what, through the real servers: a collector with its TLS gRPC and HTTPS
// listeners on loopback (in this process, so that a fake clock can expire tokens and
// sessions), real TLS clients, real tokens. Each refusal has a positive twin. The fixture
// is tests/access_control_fixture.h.
//
// This file: the dashboard's session. The cookie names a session the collector keeps, not
// the token: a cookie with a token admits nobody, and a session that was signed out, timed
// out or whose token was revoked admits nobody either, and its event stream ends.

#include <httplib.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/transport/token_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/access.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/https_client.h"

namespace postura {
namespace {

using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::testing::HasSubstr;
using ::testing::Not;

// The HTTP status of GET `path` with `cookie` as the Cookie header and no token; -1 if
// no answer.
int StatusWithCookie(const std::string& http_address, const std::string& ca_file,
                     const std::string& path, const std::string& cookie) {
  httplib::Result result =
      test::HttpsClient(http_address, ca_file, "")->Get(path, {{"Cookie", cookie}});
  return result ? result->status : -1;
}

// GET /api/v1/events with a session cookie, on a thread of its own, until the collector
// ends the stream.
class CookieEventStream {
 public:
  CookieEventStream(const std::string& http_address, const std::string& ca_file,
                    const std::string& cookie)
      : client_(test::HttpsClient(http_address, ca_file, "")) {
    // Longer than the test waits, so that only the collector ends the stream.
    client_->set_read_timeout(std::chrono::seconds(60));
    ended_ = std::async(std::launch::async, [this, cookie] {
      httplib::Result result = client_->Get("/api/v1/events", {{"Cookie", cookie}},
                                            [this](const char* data, size_t length) {
                                              absl::MutexLock lock(&mu_);
                                              received_.append(data, length);
                                              return true;
                                            });
      return result ? result->status : -1;
    });
  }

  // True once the stream has received `text` `times` times in all, within ten seconds.
  bool Receives(const std::string& text, int times = 1) {
    absl::MutexLock lock(&mu_);
    auto arrived = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return CountLocked(text) >= times; };
    return mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(10));
  }
  // How often the stream has received `text` so far.
  int Count(const std::string& text) {
    absl::MutexLock lock(&mu_);
    return CountLocked(text);
  }
  // The stream's HTTP status once the collector has ended it within ten seconds; -2 if it
  // is still open then, -1 if it failed.
  int EndedWith() {
    if (ended_.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return -2;
    return ended_.get();
  }
  ~CookieEventStream() {
    client_->stop();  // If the test failed with the stream still open.
    if (ended_.valid()) ended_.wait();
  }

 private:
  int CountLocked(const std::string& text) const ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    int count = 0;
    for (size_t at = received_.find(text); at != std::string::npos;
         at = received_.find(text, at + text.size())) {
      ++count;
    }
    return count;
  }

  std::unique_ptr<httplib::Client> client_;
  absl::Mutex mu_;
  std::string received_ ABSL_GUARDED_BY(mu_);
  std::future<int> ended_;
};

TEST_F(AccessControlTest, ACookieHoldingTheTokenItselfAdmitsNobody) {
  const std::string http = server_->http_address();
  for (const CollectorTrust* trust : {&operator_, &admin_}) {
    EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/whoami", "postura_session=" + trust->token),
              401);
    EXPECT_EQ(HttpStatus(*trust, "/api/v1/whoami"), 200);
  }
  const std::string cookie = test::DashboardSessionCookie(http, ca_file_, operator_.token);
  ASSERT_THAT(cookie, HasSubstr("postura_session="));
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/whoami", cookie), 200);
}

TEST_F(AccessControlTest, SignInSetsACookieThatNamesASessionAndNeverHoldsTheToken) {
  auto client = test::HttpsClient(server_->http_address(), ca_file_, operator_.token);
  httplib::Result signed_in = client->Post("/api/v1/session");
  ASSERT_TRUE(signed_in);
  ASSERT_EQ(signed_in->status, 204);
  const std::string set_cookie = signed_in->get_header_value("Set-Cookie");
  EXPECT_THAT(set_cookie, HasSubstr("; Path=/; Secure; HttpOnly; SameSite=Strict"));
  const std::optional<TokenParts> token = ParseTokenText(operator_.token);
  ASSERT_TRUE(token.has_value());
  EXPECT_THAT(set_cookie, Not(HasSubstr(std::string(token->secret))));
  EXPECT_THAT(set_cookie, Not(HasSubstr(std::string(token->id))));
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
  EXPECT_EQ(cookie.size(), std::string("postura_session=").size() + 43);

  // The session acts as its token's role: an operator reads, but changes nothing.
  const std::string http = server_->http_address();
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/assets", cookie), 200);
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/audit", cookie), 403);
  // A refused token opens no session.
  httplib::Result refused =
      test::HttpsClient(http, ca_file_, operator_.token + "x")->Post("/api/v1/session");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(refused->get_header_value("Set-Cookie"), "");
}

TEST_F(AccessControlTest, ASignedOutSessionIsRefusedAndItsTokenStillWorks) {
  const std::string http = server_->http_address();
  const std::string cookie = test::DashboardSessionCookie(http, ca_file_, operator_.token);
  const std::string other = test::DashboardSessionCookie(http, ca_file_, operator_.token);
  ASSERT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/assets", cookie), 200);

  httplib::Result signed_out =
      test::HttpsClient(http, ca_file_, "")->Delete("/api/v1/session", {{"Cookie", cookie}});
  ASSERT_TRUE(signed_out);
  EXPECT_EQ(signed_out->status, 204);
  EXPECT_THAT(signed_out->get_header_value("Set-Cookie"), HasSubstr("postura_session=;"));
  EXPECT_THAT(signed_out->get_header_value("Set-Cookie"), HasSubstr("Max-Age=0"));
  // The browser would drop the cookie; someone who copied it is refused all the same.
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/assets", cookie), 401);
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/whoami", cookie), 401);
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/whoami", other), 200);
  EXPECT_EQ(HttpStatus(operator_, "/api/v1/assets"), 200);
}

TEST_F(AccessControlTest, AnIdleOrTooOldSessionIsRefused) {
  const std::string http = server_->http_address();
  const std::string idle = test::DashboardSessionCookie(http, ca_file_, operator_.token);
  const std::string busy = test::DashboardSessionCookie(http, ca_file_, operator_.token);
  for (int minutes = 20; minutes < 12 * 60; minutes += 20) {
    clock_.Advance(absl::Minutes(20));
    ASSERT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/whoami", busy), 200)
        << minutes << " minutes after sign-in";
  }
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/whoami", idle), 401);
  clock_.Advance(absl::Minutes(20));  // 12 hours after sign-in, used 20 minutes ago.
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/whoami", busy), 401);
  // The token itself lasts: signing in again opens a fresh session.
  const std::string fresh = test::DashboardSessionCookie(http, ca_file_, operator_.token);
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/whoami", fresh), 200);
}

TEST_F(AccessControlTest, RevokingATokenEndsItsSessionsAndTheirEventStreams) {
  const std::string http = server_->http_address();
  const std::string cookie = test::DashboardSessionCookie(http, ca_file_, operator_.token);
  const std::string auditor = test::DashboardSessionCookie(http, ca_file_, auditor_.token);
  CookieEventStream stream(http, ca_file_, cookie);
  ASSERT_TRUE(stream.Receives("event: score"));

  v1::RevokeTokenRequest revoke;
  revoke.set_id(std::string(ParseTokenText(operator_.token)->id));
  ASSERT_TRUE(
      Call<v1::AccessService>(address_, admin_, &v1::AccessService::Stub::RevokeToken, revoke)
          .ok());
  EXPECT_EQ(stream.EndedWith(), 200);
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/assets", cookie), 401);
  EXPECT_EQ(StatusWithCookie(http, ca_file_, "/api/v1/assets", auditor), 200);
}

TEST_F(AccessControlTest, SigningOutEndsThatSessionsEventStreamOnly) {
  const std::string http = server_->http_address();
  const std::string ending = test::DashboardSessionCookie(http, ca_file_, operator_.token);
  const std::string staying = test::DashboardSessionCookie(http, ca_file_, operator_.token);
  CookieEventStream ended(http, ca_file_, ending);
  CookieEventStream kept(http, ca_file_, staying);
  ASSERT_TRUE(ended.Receives("event: score"));
  ASSERT_TRUE(kept.Receives("event: score"));

  ASSERT_TRUE(
      test::HttpsClient(http, ca_file_, "")->Delete("/api/v1/session", {{"Cookie", ending}}));
  EXPECT_EQ(ended.EndedWith(), 200);
  // The other session's stream still delivers: a new batch's score arrives on it.
  const int before = kept.Count("event: score");
  ASSERT_TRUE(Report(hq_agent_, "hq-agent", 2, "hq", nullptr, "ID_AM_CSC_1_1").ok());
  EXPECT_TRUE(kept.Receives("event: score", before + 1));
}

}  // namespace
}  // namespace postura
