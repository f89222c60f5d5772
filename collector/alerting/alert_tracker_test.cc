#include "collector/alerting/alert_tracker.h"

#include "gtest/gtest.h"

namespace postura::collector {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'763'900'000);

AlertObservation Seen(const std::string& id, bool condition, int rule = 0) {
  AlertObservation observation;
  observation.rule = rule;
  observation.condition = condition;
  observation.facts.set_id(id);
  observation.facts.set_asset_id("web");
  return observation;
}

// Marks every due transition recorded and returns their states in order.
std::vector<v1::AlertTransition::State> Record(AlertTracker& tracker, absl::Time now) {
  std::vector<v1::AlertTransition::State> states;
  for (const v1::AlertTransition& transition : tracker.Due(now)) {
    states.push_back(transition.state());
    tracker.MarkRecorded(transition);
  }
  return states;
}

using States = std::vector<v1::AlertTransition::State>;
constexpr auto kFiring = v1::AlertTransition::FIRING;
constexpr auto kResolved = v1::AlertTransition::RESOLVED;

TEST(AlertTrackerTest, FiresOnlyAfterTheConditionHeldForTheHoldDown) {
  AlertTracker tracker({absl::Minutes(1)});
  tracker.Observe(Seen("a", true), kStart);
  EXPECT_EQ(Record(tracker, kStart + absl::Seconds(59)), States{});
  EXPECT_EQ(tracker.NextDue(), kStart + absl::Minutes(1));
  const std::vector<v1::AlertTransition> due = tracker.Due(kStart + absl::Minutes(1));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].state(), kFiring);
  EXPECT_EQ(due[0].condition_since_unix_nanos(), absl::ToUnixNanos(kStart));
  EXPECT_EQ(due[0].at_unix_nanos(), absl::ToUnixNanos(kStart + absl::Minutes(1)));
  tracker.MarkRecorded(due[0]);
  EXPECT_TRUE(tracker.Firing("a"));
  EXPECT_EQ(Record(tracker, kStart + absl::Hours(1)), States{});  // Fires once.
  EXPECT_EQ(tracker.FiringByRule(), std::vector<uint64_t>{1});
}

TEST(AlertTrackerTest, AConditionThatBreaksWithinTheHoldDownNeverFires) {
  AlertTracker tracker({absl::Minutes(1)});
  tracker.Observe(Seen("a", true), kStart);
  tracker.Observe(Seen("a", false), kStart + absl::Seconds(30));
  EXPECT_FALSE(tracker.Knows("a"));
  tracker.Observe(Seen("a", true), kStart + absl::Seconds(40));
  EXPECT_EQ(Record(tracker, kStart + absl::Seconds(90)), States{});  // Held 50 s only.
  EXPECT_EQ(Record(tracker, kStart + absl::Seconds(100)), States{kFiring});
}

TEST(AlertTrackerTest, ResolvesOnceAfterTheConditionWasClearForTheHoldDown) {
  AlertTracker tracker({absl::Minutes(1)});
  tracker.Observe(Seen("a", true), kStart);
  ASSERT_EQ(Record(tracker, kStart + absl::Minutes(1)), States{kFiring});
  tracker.Observe(Seen("a", false), kStart + absl::Minutes(2));
  // Flapping back within the hold-down keeps it firing, without a new transition.
  tracker.Observe(Seen("a", true), kStart + absl::Minutes(2) + absl::Seconds(30));
  EXPECT_EQ(Record(tracker, kStart + absl::Minutes(4)), States{});
  tracker.Observe(Seen("a", false), kStart + absl::Minutes(5));
  EXPECT_EQ(Record(tracker, kStart + absl::Minutes(5) + absl::Seconds(59)), States{});
  const std::vector<v1::AlertTransition> due = tracker.Due(kStart + absl::Minutes(6));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].state(), kResolved);
  EXPECT_EQ(due[0].fired_at_unix_nanos(), absl::ToUnixNanos(kStart + absl::Minutes(1)));
  tracker.MarkRecorded(due[0]);
  EXPECT_FALSE(tracker.Knows("a"));
  EXPECT_EQ(Record(tracker, kStart + absl::Hours(1)), States{});
}

TEST(AlertTrackerTest, AZeroHoldDownFiresAndResolvesAtOnce) {
  AlertTracker tracker({absl::ZeroDuration()});
  tracker.Observe(Seen("a", true), kStart);
  EXPECT_EQ(Record(tracker, kStart), States{kFiring});
  tracker.Observe(Seen("a", false), kStart);
  EXPECT_EQ(Record(tracker, kStart), States{kResolved});
}

TEST(AlertTrackerTest, ATransitionNotRecordedStaysDue) {
  AlertTracker tracker({absl::ZeroDuration()});
  tracker.Observe(Seen("a", true), kStart);
  EXPECT_EQ(tracker.Due(kStart).size(), 1u);  // The outbox write failed: not marked.
  EXPECT_EQ(Record(tracker, kStart + absl::Seconds(1)), States{kFiring});
}

TEST(AlertTrackerTest, ARestoredAlertFiresStillAndResolvesWhenSeenClear) {
  AlertTracker tracker({absl::Minutes(1), absl::Minutes(1)});
  v1::AlertTransition fired;
  fired.set_id("b");
  fired.set_asset_id("web");
  fired.set_at_unix_nanos(absl::ToUnixNanos(kStart - absl::Hours(1)));
  tracker.RestoreFiring(1, fired, kStart);
  EXPECT_TRUE(tracker.Firing("b"));
  EXPECT_EQ(tracker.AlertsOfAsset("web"), std::vector<std::string>{"b"});
  EXPECT_EQ(tracker.FiringByRule(), (std::vector<uint64_t>{0, 1}));
  tracker.Observe(Seen("b", true, 1), kStart);
  EXPECT_EQ(Record(tracker, kStart + absl::Minutes(5)), States{});  // No second firing.
  tracker.Observe(Seen("b", false, 1), kStart + absl::Minutes(5));
  const std::vector<v1::AlertTransition> due = tracker.Due(kStart + absl::Minutes(6));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].state(), kResolved);
  EXPECT_EQ(due[0].fired_at_unix_nanos(), fired.at_unix_nanos());
}

}  // namespace
}  // namespace postura::collector
