#include "collector/access/session_book.h"

#include <memory>
#include <string>

#include "collector/store/evidence_store.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

namespace postura::collector {
namespace {

class SessionBookTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = "/store", .clock = &clock_, .env = env_.get()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<CredentialStore>> credentials =
        CredentialStore::Load(*store_, clock_);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    credentials_ = *std::move(credentials);
    operator_ = Issue(v1::ROLE_OPERATOR);
    auditor_ = Issue(v1::ROLE_AUDITOR);
  }

  // The principal of a fresh API token with `role`, lasting `ttl` (zero: forever).
  Principal Issue(v1::Role role, absl::Duration ttl = absl::ZeroDuration()) {
    v1::Credential credential;
    credential.set_kind(v1::API_TOKEN);
    credential.set_role(role);
    credential.set_tenant_id("org");
    if (ttl != absl::ZeroDuration()) {
      credential.set_expires_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + ttl));
    }
    absl::StatusOr<IssuedToken> issued = credentials_->Issue(credential);
    EXPECT_TRUE(issued.ok()) << issued.status();
    return PrincipalOf(issued.ok() ? issued->credential : credential);
  }

  std::unique_ptr<SessionBook> Book(SessionLimits limits = {}) {
    return std::make_unique<SessionBook>(*credentials_, clock_, limits);
  }

  FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  std::unique_ptr<rocksdb::Env> env_{rocksdb::NewMemEnv(rocksdb::Env::Default())};
  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<CredentialStore> credentials_;
  Principal operator_, auditor_;
};

TEST_F(SessionBookTest, ASessionResumesAsTheCredentialThatOpenedItUnderARandomId) {
  std::unique_ptr<SessionBook> book = Book();
  absl::StatusOr<std::string> first = book->Open(operator_);
  absl::StatusOr<std::string> second = book->Open(operator_);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(first->size(), 43u);
  EXPECT_NE(*first, *second);
  EXPECT_EQ(first->find(operator_.credential_id), std::string::npos);

  absl::StatusOr<Principal> resumed = book->Resume(*first);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->credential_id, operator_.credential_id);
  EXPECT_EQ(resumed->role, v1::ROLE_OPERATOR);
  EXPECT_EQ(resumed->session_key, SessionKey(*first));
  EXPECT_EQ(resumed->session_key.size(), 32u);  // A SHA-256, not the id.
  EXPECT_NE(resumed->session_key, *first);
  EXPECT_TRUE(book->IsLive(resumed->session_key));
  EXPECT_EQ(book->size(), 2u);
}

TEST_F(SessionBookTest, UseRestartsTheIdleTimeoutAndThirtyQuietMinutesEndTheSession) {
  std::unique_ptr<SessionBook> book = Book();
  const std::string id = book->Open(operator_).value();
  clock_.Advance(absl::Minutes(29));
  ASSERT_TRUE(book->Resume(id).ok());
  clock_.Advance(absl::Minutes(29));  // 58 minutes after sign-in, 29 after the last use.
  ASSERT_TRUE(book->Resume(id).ok());
  EXPECT_TRUE(book->IsLive(SessionKey(id)));
  clock_.Advance(absl::Minutes(30));
  EXPECT_FALSE(book->IsLive(SessionKey(id)));
  absl::StatusOr<Principal> late = book->Resume(id);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(book->size(), 0u);  // Looked at, so dropped.
}

TEST_F(SessionBookTest, TheAbsoluteTimeoutEndsASessionHoweverBusy) {
  std::unique_ptr<SessionBook> book =
      Book({.idle_timeout = absl::Minutes(30), .absolute_timeout = absl::Hours(12)});
  const std::string id = book->Open(operator_).value();
  for (int i = 0; i < 12 * 3 - 1; ++i) {
    clock_.Advance(absl::Minutes(20));
    ASSERT_TRUE(book->Resume(id).ok()) << "after " << (i + 1) * 20 << " minutes";
  }
  clock_.Advance(absl::Minutes(20));  // 12 hours after sign-in.
  EXPECT_EQ(book->Resume(id).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(SessionBookTest, RevokingOrExpiringTheCredentialEndsItsSessionsAtOnce) {
  std::unique_ptr<SessionBook> book = Book();
  const std::string revoked = book->Open(operator_).value();
  const std::string kept = book->Open(auditor_).value();
  ASSERT_TRUE(credentials_->Revoke(operator_.credential_id).ok());
  EXPECT_FALSE(book->IsLive(SessionKey(revoked)));
  EXPECT_EQ(book->Resume(revoked).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(book->Resume(kept).ok());

  const Principal brief = Issue(v1::ROLE_OPERATOR, absl::Minutes(10));
  const std::string expiring = book->Open(brief).value();
  clock_.Advance(absl::Minutes(9));
  ASSERT_TRUE(book->Resume(expiring).ok());
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(book->Resume(expiring).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(book->Resume(kept).ok());
}

TEST_F(SessionBookTest, AClosedSessionIsRefusedAndOthersStayOpen) {
  std::unique_ptr<SessionBook> book = Book();
  const std::string closed = book->Open(operator_).value();
  const std::string other = book->Open(operator_).value();
  EXPECT_TRUE(book->Close(closed));
  EXPECT_FALSE(book->Close(closed));
  EXPECT_EQ(book->Resume(closed).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(book->IsLive(SessionKey(closed)));
  EXPECT_TRUE(book->Resume(other).ok());
}

TEST_F(SessionBookTest, ACredentialPastItsBoundLosesItsLeastRecentlyUsedSession) {
  std::unique_ptr<SessionBook> book = Book({.max_per_credential = 2});
  const std::string older = book->Open(operator_).value();
  clock_.Advance(absl::Seconds(1));
  const std::string idle = book->Open(operator_).value();
  const std::string auditor = book->Open(auditor_).value();
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(book->Resume(older).ok());  // Now `idle` is the least recently used.
  const std::string newest = book->Open(operator_).value();
  EXPECT_EQ(book->Resume(idle).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(book->Resume(older).ok());
  EXPECT_TRUE(book->Resume(newest).ok());
  EXPECT_TRUE(book->Resume(auditor).ok());  // Another credential's bound is its own.
  EXPECT_EQ(book->size(), 3u);
}

TEST_F(SessionBookTest, PastTheTotalBoundSignInIsRefusedUntilSessionsTimeOut) {
  std::unique_ptr<SessionBook> book = Book({.max_per_credential = 8, .max_total = 2});
  const std::string first = book->Open(operator_).value();
  ASSERT_TRUE(book->Open(auditor_).ok());
  absl::StatusOr<std::string> refused = book->Open(Issue(v1::ROLE_ADMIN));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(refused.status().message().find("dashboard.max_sessions"), std::string::npos);
  // Signing in again with a credential that holds a session is refused too: the bound is
  // on sessions, and replacing one's own is not what the caller asked.
  EXPECT_EQ(book->Open(operator_).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(book->Resume(first).ok());
  EXPECT_EQ(book->size(), 2u);

  clock_.Advance(absl::Minutes(31));
  EXPECT_TRUE(book->Open(Issue(v1::ROLE_ADMIN)).ok());
  EXPECT_EQ(book->size(), 1u);  // The timed-out sessions made room.
}

TEST_F(SessionBookTest, WhatIsNotASessionIdIsRefusedWithoutALookup) {
  std::unique_ptr<SessionBook> book = Book();
  const absl::StatusOr<IssuedToken> token = credentials_->Issue([] {
    v1::Credential credential;
    credential.set_kind(v1::API_TOKEN);
    credential.set_role(v1::ROLE_ADMIN);
    return credential;
  }());
  ASSERT_TRUE(token.ok());
  const std::string id = book->Open(operator_).value();
  for (const std::string& text :
       {std::string(), token->token, id.substr(1), id + "A", std::string(42, 'A') + "!",
        std::string(43, '\0'), std::string(4096, 'A')}) {
    EXPECT_EQ(SessionKey(text), "") << text;
    EXPECT_EQ(book->Resume(text).status().code(), absl::StatusCode::kUnauthenticated) << text;
    EXPECT_FALSE(book->Close(text));
  }
  // A well-formed id that was never handed out.
  EXPECT_EQ(book->Resume(std::string(43, 'A')).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(book->Resume(id).ok());
}

}  // namespace
}  // namespace postura::collector
