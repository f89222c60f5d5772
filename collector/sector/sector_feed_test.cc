// The sector's feed against a real nats-server on loopback: members' summaries reach the
// view; what a non-member, a forger or a malformed message sends is refused, counted and
// skipped; a feed started again (a restarted sector collector) ends with the same view;
// a server killed and back is read on from where the feed was.

#include "collector/sector/sector_feed.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/transport/agent_certificate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;

constexpr size_t kOutcomes = 3;

P256Signer NewKey() { return P256Signer::FromKeyPem(NewAgentKeyPem().value(), "key").value(); }

v1::SectorAssetSummary Summary(const std::string& organisation, const std::string& ref,
                               uint64_t version, double value) {
  v1::SectorAssetSummary summary;
  summary.set_organisation_id(organisation);
  summary.set_asset_ref(ref);
  summary.set_version(version);
  summary.set_published_at_unix_nanos(absl::ToUnixNanos(absl::Now()));
  summary.set_implementation_group(v1::IG1);
  summary.set_value(value);
  summary.set_adjusted_value(value);
  summary.set_coverage(1);
  summary.set_outcome_levels(std::string("\x04\x02\x01", kOutcomes));
  return summary;
}

class SectorFeedTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<test::NatsServer>> server =
        test::NatsServer::Start(dir_.path().string());
    if (absl::IsNotFound(server.status())) GTEST_SKIP() << server.status();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    log_ = JetStreamLog::Open({.servers = {server_->url()},
                               .stream = "SECTOR",
                               .subject = "postura.sector.>",
                               .max_messages_per_subject = 1,
                               .timeout = absl::Seconds(1)})
               .value();
    for (const auto& [id, key] : {std::pair{"health", &health_}, std::pair{"water", &water_}}) {
      members_.emplace(id, P256Verifier::FromPublicKeyPem(key->PublicKeyPem().value(), id).value());
    }
  }

  void Publish(const v1::SectorAssetSummary& summary, const P256Signer& key,
               const std::string& subject_organisation = "") {
    const std::string organisation =
        subject_organisation.empty() ? summary.organisation_id() : subject_organisation;
    ASSERT_TRUE(
        log_->AppendTo(absl::StrCat("postura.sector.", organisation, ".", summary.asset_ref()),
                       absl::StrCat(organisation, "/", summary.asset_ref(), "/", summary.version()),
                       SealSummary(summary, key).value())
            .ok());
  }

  std::unique_ptr<SectorFeed> StartFeed() {
    return SectorFeed::Start(*log_, members_, {.outcome_count = kOutcomes, .view = {}}).value();
  }

  // Waits until `feed` has read up to stream sequence `position`.
  static SectorFeedStats WaitFor(const SectorFeed& feed, uint64_t position) {
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    while (feed.stats().position < position && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    return feed.stats();
  }

  static OrganisationStanding Standing(const SectorFeed& feed, const std::string& id) {
    OrganisationStanding standing;
    feed.Read([&](const SectorView& view) { standing = view.Organisation(id).value(); });
    return standing;
  }

  test::TempDir dir_;
  std::unique_ptr<test::NatsServer> server_;
  std::unique_ptr<JetStreamLog> log_;
  P256Signer health_ = NewKey(), water_ = NewKey(), outsider_ = NewKey();
  SectorMembers members_;
};

TEST_F(SectorFeedTest, MembersSummariesReachTheViewAndTheRestIsRefused) {
  std::unique_ptr<SectorFeed> feed = StartFeed();
  Publish(Summary("health", "a", 1, 0.4), health_);
  Publish(Summary("health", "b", 1, 0.8), health_);
  Publish(Summary("water", "a", 1, 0.5), water_);
  Publish(Summary("energy", "a", 1, 0.9), outsider_);        // Not a member.
  Publish(Summary("health", "c", 1, 0.0), outsider_);        // Not health's key.
  Publish(Summary("health", "d", 1, 0.0), water_, "water");  // Water for health.
  ASSERT_TRUE(log_->AppendTo("postura.sector.water.x", "junk", "not a summary").ok());
  ASSERT_TRUE(log_->AppendTo("postura.sector.water", "short", "no asset token").ok());
  const SectorFeedStats stats = WaitFor(*feed, 8);
  EXPECT_EQ(stats.applied, 3u);
  EXPECT_EQ(stats.refused, 5u);
  EXPECT_THAT(stats.last_refusal, HasSubstr("is not <prefix>.<organisation>.<asset>"));
  EXPECT_THAT(Standing(*feed, "health").index, DoubleNear(0.6, 1e-12));
  EXPECT_EQ(Standing(*feed, "health").asset_count, 2u);
  EXPECT_THAT(Standing(*feed, "water").index, DoubleNear(0.5, 1e-12));
  feed->Read([](const SectorView& view) { EXPECT_FALSE(view.Organisation("energy")); });
}

TEST_F(SectorFeedTest, AFeedStartedAgainEndsWithTheSameView) {
  Publish(Summary("health", "a", 1, 0.4), health_);
  Publish(Summary("health", "a", 2, 0.7), health_);  // The stream keeps this one only.
  Publish(Summary("water", "a", 1, 0.5), water_);
  std::unique_ptr<SectorFeed> first = StartFeed();
  WaitFor(*first, 3);
  const OrganisationStanding before = Standing(*first, "health");
  first.reset();
  std::unique_ptr<SectorFeed> again = StartFeed();
  const SectorFeedStats stats = WaitFor(*again, 3);
  EXPECT_EQ(stats.applied, 2u);  // Health's newest and water's: nothing twice.
  EXPECT_EQ(Standing(*again, "health").index, before.index);
  EXPECT_THAT(before.index, DoubleNear(0.7, 1e-12));
}

TEST_F(SectorFeedTest, AServerKilledAndBackIsReadOnFromWhereTheFeedWas) {
  std::unique_ptr<SectorFeed> feed = StartFeed();
  Publish(Summary("health", "a", 1, 0.4), health_);
  WaitFor(*feed, 1);
  const std::string url = server_->url();
  server_->Kill();
  absl::SleepFor(absl::Seconds(1));
  server_ = test::NatsServer::Start(dir_.path().string(), std::stoi(url.substr(url.rfind(':') + 1)))
                .value();
  absl::Status published = absl::UnavailableError("not yet");
  for (int attempt = 0; attempt < 50 && !published.ok(); ++attempt) {
    published = log_->AppendTo("postura.sector.water.a", "water/a/1",
                               SealSummary(Summary("water", "a", 1, 0.5), water_).value())
                    .status();
    if (!published.ok()) absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_TRUE(published.ok()) << published;
  const SectorFeedStats stats = WaitFor(*feed, 2);
  EXPECT_EQ(stats.applied, 2u);
  EXPECT_EQ(stats.stale, 0u);  // Read on, not again from the start.
}

TEST(SectorSubjectTest, NamesThePublishingOrganisation) {
  EXPECT_EQ(SubjectOrganisation("postura.sector.>", "postura.sector.health.abc"), "health");
  EXPECT_EQ(SubjectOrganisation("postura.sector.>", "postura.sector.health"), "");
  EXPECT_EQ(SubjectOrganisation("postura.sector.>", "postura.sector.a.b.c"), "");
  EXPECT_EQ(SubjectOrganisation("postura.sector.>", "postura.other.a.b"), "");
  EXPECT_EQ(SubjectOrganisation("postura.sector", "postura.sector.a.b"), "");
}

}  // namespace
}  // namespace postura::collector
