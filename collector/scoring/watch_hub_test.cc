#include "collector/scoring/watch_hub.h"

#include <atomic>

#include "gtest/gtest.h"

namespace postura::collector {
namespace {

v1::ScoreUpdate Update(const std::string& asset, double value, const std::string& department = "",
                       bool transition = false) {
  v1::ScoreUpdate update;
  update.mutable_summary()->set_asset_id(asset);
  update.mutable_summary()->set_value(value);
  update.mutable_summary()->set_department_id(department);
  update.set_targets_met_changed(transition);
  return update;
}

TEST(WatchFilterTest, MatchesAssetsDepartmentsAndTransitions) {
  WatchFilter filter;
  EXPECT_TRUE(filter.Matches(Update("a", 0), false));
  filter.asset_ids = {"a"};
  EXPECT_FALSE(filter.Matches(Update("b", 0), false));
  filter.asset_ids.clear();
  filter.department_id = "finance";
  EXPECT_FALSE(filter.Matches(Update("a", 0, "health"), false));
  EXPECT_TRUE(filter.Matches(Update("a", 0, "finance"), false));
  filter.only_target_transitions = true;
  EXPECT_FALSE(filter.Matches(Update("a", 0, "finance"), false));
  EXPECT_TRUE(filter.Matches(Update("a", 0, "finance", true), false));
  EXPECT_TRUE(filter.Matches(Update("a", 0, "finance"), /*initial=*/true));
}

TEST(WatcherTest, KeepsOneUpdatePerAssetInFirstArrivalOrder) {
  Watcher watcher(WatchFilter(), nullptr);
  watcher.Offer(Update("a", 0.1));
  watcher.Offer(Update("b", 0.2));
  watcher.Offer(Update("a", 0.3));
  std::optional<v1::ScoreUpdate> first = watcher.TryTake();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->summary().asset_id(), "a");
  EXPECT_EQ(first->summary().value(), 0.3);
  EXPECT_EQ(watcher.TryTake()->summary().asset_id(), "b");
  EXPECT_FALSE(watcher.TryTake().has_value());
  EXPECT_EQ(watcher.coalesced(), 1u);
}

TEST(WatcherTest, ACoalescedTargetTransitionIsNotLost) {
  Watcher watcher(WatchFilter(), nullptr);
  watcher.Offer(Update("a", 0.1, "", /*transition=*/true));
  watcher.Offer(Update("a", 0.2));
  EXPECT_TRUE(watcher.TryTake()->targets_met_changed());
}

TEST(WatcherTest, ReadyCallbackFiresWhenTheQueueStopsBeingEmpty) {
  std::atomic<int> calls{0};
  Watcher watcher(WatchFilter(), [&] { ++calls; });
  watcher.Offer(Update("a", 0.1));
  watcher.Offer(Update("b", 0.1));
  EXPECT_EQ(calls, 1);
  watcher.TryTake();
  watcher.TryTake();
  watcher.Offer(Update("a", 0.2));
  EXPECT_EQ(calls, 2);
}

TEST(WatcherTest, CloseWakesABlockedTakeAndDropsLaterOffers) {
  Watcher watcher(WatchFilter(), nullptr);
  std::thread closer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    watcher.Close();
  });
  EXPECT_FALSE(watcher.Take(absl::Seconds(10)).has_value());
  closer.join();
  watcher.Offer(Update("a", 0.1));
  EXPECT_FALSE(watcher.TryTake().has_value());
}

TEST(WatchHubTest, PublishesToEveryWatcherUntilRemoved) {
  WatchHub hub;
  auto first = std::make_shared<Watcher>(WatchFilter(), nullptr);
  auto second = std::make_shared<Watcher>(WatchFilter(), nullptr);
  hub.Add(first);
  hub.Add(second);
  hub.Publish({Update("a", 0.5)});
  EXPECT_TRUE(first->TryTake().has_value());
  EXPECT_TRUE(second->TryTake().has_value());
  hub.Remove(first.get());
  hub.Publish({Update("a", 0.6)});
  EXPECT_FALSE(first->TryTake().has_value());
  EXPECT_TRUE(second->TryTake().has_value());
  EXPECT_EQ(hub.size(), 1);
}

}  // namespace
}  // namespace postura::collector
