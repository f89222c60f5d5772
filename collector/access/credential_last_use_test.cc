// A credential's last use: shown at once, stored at most once a minute, never bringing a
// revoked credential back. Real RocksDB in memory and a fake clock.

#include <memory>

#include "absl/strings/str_cat.h"
#include "collector/access/credential_store.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

namespace postura::collector {
namespace {

class CredentialLastUseTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = "/store", .clock = &clock_, .env = env_.get()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    credentials_ = Load();
    ASSERT_NE(credentials_, nullptr);
    v1::Credential token;
    token.set_kind(v1::API_TOKEN);
    token.set_role(v1::ROLE_ADMIN);
    token.set_tenant_id("org");
    absl::StatusOr<IssuedToken> issued = credentials_->Issue(token);
    ASSERT_TRUE(issued.ok()) << issued.status();
    id_ = issued->credential.id();
  }

  std::unique_ptr<CredentialStore> Load() {
    absl::StatusOr<std::unique_ptr<CredentialStore>> loaded =
        CredentialStore::Load(*store_, clock_);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? *std::move(loaded) : nullptr;
  }

  // The last use as `credentials` lists it: "<unix seconds> <from>".
  std::string LastUse(const CredentialStore& credentials) {
    for (const v1::Credential& credential : credentials.List()) {
      if (credential.id() == id_) {
        return absl::StrCat(credential.last_used_unix_seconds() - kStart, " ",
                            credential.last_used_from());
      }
    }
    return "gone";
  }

  static constexpr int64_t kStart = 1'763'900'000;
  FakeClock clock_{absl::FromUnixSeconds(kStart)};
  std::unique_ptr<rocksdb::Env> env_{rocksdb::NewMemEnv(rocksdb::Env::Default())};
  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<CredentialStore> credentials_;
  std::string id_;
};

TEST_F(CredentialLastUseTest, ShownAtOnceAndStoredAtMostOnceAMinute) {
  EXPECT_EQ(LastUse(*credentials_), absl::StrCat(-kStart, " "));  // Never used.
  credentials_->NoteUse(id_, "10.0.0.1");
  EXPECT_EQ(LastUse(*credentials_), "0 10.0.0.1");
  EXPECT_EQ(LastUse(*Load()), "0 10.0.0.1") << "the first use is stored";
  clock_.Advance(absl::Seconds(30));
  credentials_->NoteUse(id_, "10.0.0.2");
  EXPECT_EQ(LastUse(*credentials_), "30 10.0.0.2");
  EXPECT_EQ(LastUse(*Load()), "0 10.0.0.1") << "not stored again within a minute";
  clock_.Advance(absl::Seconds(30));
  credentials_->NoteUse(id_, "10.0.0.3");
  EXPECT_EQ(LastUse(*Load()), "60 10.0.0.3");
}

TEST_F(CredentialLastUseTest, AUseAfterRevocationStoresNothing) {
  ASSERT_TRUE(credentials_->Revoke(id_).ok());
  credentials_->NoteUse(id_, "10.0.0.1");
  credentials_->NoteUse("no-such-credential", "10.0.0.1");
  EXPECT_EQ(LastUse(*credentials_), "gone");
  EXPECT_EQ(LastUse(*Load()), "gone");
}

}  // namespace
}  // namespace postura::collector
