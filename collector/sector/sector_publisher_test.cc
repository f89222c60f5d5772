// The publisher against a real nats-server on loopback: what it stores on the sector's
// stream opens, at the sector's side, into the organisation's own figures; unchanged
// figures are not sent again until the refresh; a removed asset is published as removed;
// nothing names an asset unless configured; a round the stream cannot store fails and is
// made good by the next round once the server is back.

#include "collector/sector/sector_publisher.h"

#include <string>
#include <vector>

#include "collector/sector/sector_view.h"
#include "collector/sector/signed_summary.h"
#include "common/transport/agent_certificate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

AssetSnapshot Snapshot(const std::string& id, ImplementationGroup group, double value,
                       Level level) {
  AssetSnapshot snapshot;
  snapshot.summary.set_asset_id(id);
  snapshot.summary.set_name("The " + id);
  snapshot.summary.set_value(value);
  snapshot.summary.set_adjusted_value(value);
  snapshot.summary.set_coverage(0.5);
  snapshot.group = group;
  snapshot.cells.assign(Catalog::Builtin().outcomes().size(),
                        Cell{.level = level, .state = CellState::kLive});
  return snapshot;
}

class SectorPublisherTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<test::NatsServer>> server =
        test::NatsServer::Start(dir_.path().string());
    if (absl::IsNotFound(server.status())) GTEST_SKIP() << server.status();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    log_ = JetStreamLog::Open(LogOptions()).value();
    members_.emplace(
        "health",
        P256Verifier::FromPublicKeyPem(key_.PublicKeyPem().value(), "health's key").value());
  }

  JetStreamLogOptions LogOptions() const {
    return {.servers = {server_->url()},
            .stream = "SECTOR",
            .subject = "postura.sector.>",
            .max_messages_per_subject = 1,
            .timeout = absl::Seconds(1)};
  }

  std::unique_ptr<SectorPublisher> Publisher(bool publish_asset_ids = false) {
    return SectorPublisher::Create(*log_, key_, [this] { return assets_; }, Catalog::Builtin(),
                                   {.organisation_id = "health",
                                    .publish_asset_ids = publish_asset_ids,
                                    .refresh = absl::Hours(1)})
        .value();
  }

  // The sector's view of everything on the stream, and the raw messages.
  SectorView ReadSector(std::vector<std::string>* raw = nullptr) {
    SectorView view(Catalog::Builtin().outcomes().size(), {});
    std::unique_ptr<LogConsumer> consumer = log_->Consumer("sector", 1).value();
    for (;;) {
      absl::StatusOr<int> read =
          consumer->Next(100, absl::Milliseconds(300), [&](std::vector<LogMessage>& messages) {
            for (const LogMessage& message : messages) {
              if (raw != nullptr) raw->push_back(message.data);
              EXPECT_EQ(message.subject.rfind("postura.sector.health.", 0), 0u);
              absl::StatusOr<v1::SectorAssetSummary> summary = OpenSummary(
                  message.data, "health", members_, Catalog::Builtin().outcomes().size());
              EXPECT_TRUE(summary.ok()) << summary.status();
              if (summary.ok()) view.Apply(*summary);
            }
            return absl::OkStatus();
          });
      EXPECT_TRUE(read.ok()) << read.status();
      if (!read.ok() || *read == 0) return view;
    }
  }

  test::TempDir dir_;
  std::unique_ptr<test::NatsServer> server_;
  std::unique_ptr<JetStreamLog> log_;
  P256Signer key_ = P256Signer::FromKeyPem(NewAgentKeyPem().value(), "health's key").value();
  SectorMembers members_;
  std::vector<AssetSnapshot> assets_ = {
      Snapshot("mail-server", ImplementationGroup::kIG1, 0.2, Level::kDli33),
      Snapshot("patient-records", ImplementationGroup::kIG3, 0.6, Level::kDli67)};
};

TEST_F(SectorPublisherTest, TheSectorSeesTheOrganisationsFiguresAndNoAssetNames) {
  std::unique_ptr<SectorPublisher> publisher = Publisher();
  EXPECT_EQ(publisher->PublishChanges(kT0).value(), 2);
  std::vector<std::string> raw;
  SectorView sector = ReadSector(&raw);
  const OrganisationStanding health = sector.Organisation("health").value();
  EXPECT_EQ(health.asset_count, 2u);
  EXPECT_THAT(health.index, DoubleNear((1 * 0.2 + 3 * 0.6) / 4, 1e-9));
  // An outcome every IG applies to, at the mean of 0.33 and 0.67.
  const int first = Catalog::Builtin().model(ImplementationGroup::kIG1).applicable_outcomes()[0];
  EXPECT_THAT(sector.OutcomeSpread(first).mean, DoubleNear(0.5, 1e-9));
  for (const std::string& message : raw) {
    EXPECT_THAT(message, Not(HasSubstr("mail-server")));
    EXPECT_THAT(message, Not(HasSubstr("patient-records")));
  }
}

TEST_F(SectorPublisherTest, OnlyChangesRemovalsAndRefreshesArePublished) {
  std::unique_ptr<SectorPublisher> publisher = Publisher(/*publish_asset_ids=*/true);
  EXPECT_EQ(publisher->PublishChanges(kT0).value(), 2);
  EXPECT_EQ(publisher->PublishChanges(kT0 + absl::Seconds(30)).value(), 0);
  assets_[0].summary.set_value(0.4);
  assets_[0].summary.set_adjusted_value(0.4);
  EXPECT_EQ(publisher->PublishChanges(kT0 + absl::Seconds(60)).value(), 1);
  EXPECT_THAT(ReadSector().Organisation("health")->index,
              DoubleNear((1 * 0.4 + 3 * 0.6) / 4, 1e-9));
  assets_.pop_back();
  EXPECT_EQ(publisher->PublishChanges(kT0 + absl::Seconds(90)).value(), 1);
  SectorView sector = ReadSector();
  EXPECT_EQ(sector.Organisation("health")->asset_count, 1u);
  EXPECT_THAT(sector.Organisation("health")->index, DoubleNear(0.4, 1e-9));
  EXPECT_EQ(publisher->PublishChanges(kT0 + absl::Minutes(61)).value(), 1);  // The refresh.
  EXPECT_EQ(publisher->stats().published, 5u);
}

// A publisher started again reads back what it published, so an asset removed while it
// was down is removed at the sector, and versions grow even if its clock went back.
TEST_F(SectorPublisherTest, AnAssetRemovedWhileThePublisherWasDownIsRemovedAtTheSector) {
  EXPECT_EQ(Publisher()->PublishChanges(kT0).value(), 2);
  const AssetSnapshot gone = assets_.back();
  assets_.pop_back();

  std::unique_ptr<SectorPublisher> restarted = Publisher();
  ASSERT_TRUE(restarted->RecallPublished().ok());
  // The remaining asset again (its figures were not read back) and the removal.
  EXPECT_EQ(restarted->PublishChanges(kT0 - absl::Hours(1)).value(), 2);
  SectorView sector = ReadSector();
  EXPECT_EQ(sector.Organisation("health")->asset_count, 1u);
  EXPECT_EQ(restarted->PublishChanges(kT0 - absl::Minutes(59)).value(), 0);

  // Back after its removal, from a publisher whose clock went back further: published
  // above the removal's version, so the sector takes it.
  assets_.push_back(gone);
  std::unique_ptr<SectorPublisher> again = Publisher();
  ASSERT_TRUE(again->RecallPublished().ok());
  EXPECT_EQ(again->PublishChanges(kT0 - absl::Hours(2)).value(), 2);
  EXPECT_EQ(ReadSector().Organisation("health")->asset_count, 2u);
}

TEST_F(SectorPublisherTest, ARoundTheStreamCannotStoreIsMadeGoodWhenItIsBack) {
  std::unique_ptr<SectorPublisher> publisher = Publisher();
  const std::string url = server_->url();
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  server_->Kill();
  absl::StatusOr<int> failed = publisher->PublishChanges(kT0);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  EXPECT_EQ(publisher->stats().failures, 1u);
  // Started again where it was, so that the log's connection reconnects.
  server_ = test::NatsServer::Start(dir_.path().string(), port).value();
  absl::StatusOr<int> stored = absl::UnavailableError("not tried");
  for (int attempt = 0; attempt < 50 && !stored.ok(); ++attempt) {
    stored = publisher->PublishChanges(kT0 + absl::Seconds(attempt + 1));
    if (!stored.ok()) absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(ReadSector().Organisation("health")->asset_count, 2u);
}

TEST_F(SectorPublisherTest, ABadOrganisationIdOrStreamSubjectIsRefused) {
  EXPECT_EQ(SectorPublisher::Create(*log_, key_, [] { return std::vector<AssetSnapshot>(); },
                                    Catalog::Builtin(), {.organisation_id = "health.west"})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  JetStreamLogOptions plain = LogOptions();
  plain.stream = "PLAIN";
  plain.subject = "postura.plain";
  plain.max_messages_per_subject = 0;
  std::unique_ptr<JetStreamLog> log = JetStreamLog::Open(plain).value();
  EXPECT_THAT(
      std::string(SectorPublisher::Create(*log, key_, [] { return std::vector<AssetSnapshot>(); },
                                          Catalog::Builtin(), {.organisation_id = "health"})
                      .status()
                      .message()),
      HasSubstr("does not end in"));
}

}  // namespace
}  // namespace postura::collector
