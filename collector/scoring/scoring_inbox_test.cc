#include "collector/scoring/scoring_inbox.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kStart = absl::FromUnixSeconds(1'763'900'000);

SourceUpdate Update(const std::string& key, absl::Time expires) {
  SourceUpdate update;
  update.state_key = key;
  update.expires_at_unix_nanos = absl::ToUnixNanos(expires);
  return update;
}

std::vector<std::string> Keys(const std::vector<SourceUpdate>& updates) {
  std::vector<std::string> keys;
  for (const SourceUpdate& update : updates) keys.push_back(update.state_key);
  return keys;
}

TEST(ScoringInboxTest, ARoundHoldsEverythingHandedOverInOrder) {
  FakeClock clock(kStart);
  ScoringInbox inbox(clock);
  inbox.AddUpdates({Update("a", kStart + absl::Hours(1)), Update("b", kStart + absl::Hours(2))});
  inbox.AddResync("web");
  inbox.AddUpdates({Update("c", kStart + absl::Hours(3))});
  std::optional<ScoringInbox::Round> round = inbox.Take(absl::Seconds(10));
  ASSERT_TRUE(round.has_value());
  EXPECT_THAT(Keys(round->updates), ElementsAre("a", "b", "c"));
  EXPECT_THAT(round->resyncs, ElementsAre("web"));
  inbox.Finish(round->ticket);
  round = inbox.Take(absl::ZeroDuration());  // Nothing new: an empty round.
  ASSERT_TRUE(round.has_value());
  EXPECT_THAT(round->updates, IsEmpty());
  EXPECT_THAT(round->resyncs, IsEmpty());
}

TEST(ScoringInboxTest, AWaitingReportIsReplacedByTheNewerOneOfTheSameSource) {
  FakeClock clock(kStart);
  ScoringInbox inbox(clock);
  SourceUpdate first = Update("a", kStart + absl::Hours(1));
  first.level = v1::DLI_33;
  SourceUpdate newer = Update("a", kStart + absl::Hours(2));
  newer.level = v1::DLI_100;
  inbox.AddUpdates({first, Update("b", kStart + absl::Hours(1))});
  inbox.AddUpdates({Update("c", kStart + absl::Hours(1)), newer});
  std::optional<ScoringInbox::Round> round = inbox.Take(absl::Seconds(10));
  ASSERT_TRUE(round.has_value());
  // "a" keeps its place and carries the newer report; the replaced one is counted.
  EXPECT_THAT(Keys(round->updates), ElementsAre("a", "b", "c"));
  EXPECT_EQ(round->updates[0].level, v1::DLI_100);
  EXPECT_EQ(round->superseded, 1u);
  // The earlier report's expiry still brought the next expiry forward.
  EXPECT_TRUE(inbox.ExpiryDue(absl::ToUnixNanos(kStart + absl::Hours(1))));
  inbox.Finish(round->ticket);
  // A new round starts afresh: the same source is waiting again, nothing superseded.
  inbox.AddUpdates({Update("a", kStart + absl::Hours(3))});
  round = inbox.Take(absl::Seconds(10));
  ASSERT_TRUE(round.has_value());
  EXPECT_THAT(Keys(round->updates), ElementsAre("a"));
  EXPECT_EQ(round->superseded, 0u);
}

TEST(ScoringInboxTest, WhileScoringIsBehindTheInboxHoldsOneReportPerSource) {
  FakeClock clock(kStart);
  ScoringInbox inbox(clock);
  for (int commit = 0; commit < 100; ++commit) {
    std::vector<SourceUpdate> updates;
    for (int source = 0; source < 10; ++source) {
      updates.push_back(Update(absl::StrCat("source-", source), kStart + absl::Hours(1)));
    }
    inbox.AddUpdates(std::move(updates));
  }
  std::optional<ScoringInbox::Round> round = inbox.Take(absl::Seconds(10));
  ASSERT_TRUE(round.has_value());
  EXPECT_EQ(round->updates.size(), 10u);
  EXPECT_EQ(round->superseded, 990u);
}

TEST(ScoringInboxTest, ReportsPastTheBudgetMarkTheirAssetsForAResyncInstead) {
  FakeClock clock(kStart);
  const absl::Time expires = kStart + absl::Hours(1);
  auto report = [&](const char* asset, const char* check) {
    return Update(absl::StrCat(asset, std::string("\0PR_1\0host-1\0", 13), check), expires);
  };
  const SourceUpdate made = report("web", "a");
  const SourceUpdate copied = made;  // As the reports below reach the inbox: copied.
  const size_t one = ScoringInbox::PendingBytes(copied);
  ASSERT_GT(one, sizeof(SourceUpdate)) << "the key's heap counts";
  ScoringInbox inbox(clock, 2 * one + one / 2);
  inbox.AddUpdates({report("web", "a"), report("web", "b")});
  EXPECT_EQ(inbox.pending_bytes(), 2 * one);
  inbox.AddUpdates({report("db", "a"), report("web", "b"), report("db", "b"), report("mail", "c")});
  inbox.AddResync("new");
  std::optional<ScoringInbox::Round> round = inbox.Take(absl::Seconds(10));
  ASSERT_TRUE(round.has_value());
  ASSERT_EQ(round->updates.size(), 2u) << "the budget's worth, web/b replaced in place";
  EXPECT_EQ(round->superseded, 1u);
  EXPECT_EQ(round->overflowed, 3u);
  ASSERT_EQ(round->resyncs.size(), 3u);
  EXPECT_EQ(round->resyncs[0], "new") << "handed-over resyncs first";
  EXPECT_THAT(std::vector<std::string>(round->resyncs.begin() + 1, round->resyncs.end()),
              testing::UnorderedElementsAre("db", "mail"));
  EXPECT_EQ(inbox.pending_bytes(), 0u);
  inbox.Finish(round->ticket);
  inbox.AddUpdates({report("db", "a")});
  round = inbox.Take(absl::Seconds(10));
  ASSERT_TRUE(round.has_value());
  EXPECT_EQ(round->updates.size(), 1u) << "room again once the round was taken";
  EXPECT_THAT(round->resyncs, IsEmpty());
}

TEST(ScoringInboxTest, UpdatesBringTheNextExpiryForward) {
  FakeClock clock(kStart);
  ScoringInbox inbox(clock);
  EXPECT_FALSE(inbox.ExpiryDue(absl::ToUnixNanos(kStart + absl::Hours(100))));
  inbox.AddUpdates({Update("a", kStart + absl::Hours(2))});
  inbox.AddUpdates({Update("b", kStart + absl::Hours(1))});
  EXPECT_FALSE(inbox.ExpiryDue(absl::ToUnixNanos(kStart)));
  EXPECT_TRUE(inbox.ExpiryDue(absl::ToUnixNanos(kStart + absl::Hours(1))));
  inbox.SetNextExpiry([] { return INT64_MAX; });
  EXPECT_FALSE(inbox.ExpiryDue(absl::ToUnixNanos(kStart + absl::Hours(1))));
}

TEST(ScoringInboxTest, FlushReturnsOnceTheRoundAfterItIsFinished) {
  FakeClock clock(kStart);
  ScoringInbox inbox(clock);
  absl::Notification flushed;
  std::thread flusher([&] {
    inbox.Flush();
    flushed.Notify();
  });
  // The flush itself is work, so Take does not wait out its timeout.
  std::optional<ScoringInbox::Round> round = inbox.Take(absl::Hours(1));
  ASSERT_TRUE(round.has_value());
  EXPECT_FALSE(flushed.HasBeenNotified());
  inbox.Finish(round->ticket);
  flushed.WaitForNotification();
  flusher.join();
}

TEST(ScoringInboxTest, StopEndsTheRoundsAndReleasesFlush) {
  FakeClock clock(kStart);
  ScoringInbox inbox(clock);
  inbox.AddResync("web");
  inbox.Stop();
  EXPECT_FALSE(inbox.Take(absl::Hours(1)).has_value());
  inbox.Flush();  // Returns at once.
}

}  // namespace
}  // namespace postura::collector
