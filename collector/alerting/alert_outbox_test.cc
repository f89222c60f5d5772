#include "collector/alerting/alert_outbox.h"

#include "gtest/gtest.h"
#include "rocksdb/env.h"

namespace postura::collector {
namespace {

v1::AlertTransition Transition(const std::string& id, v1::AlertTransition::State state) {
  v1::AlertTransition transition;
  transition.set_id(id);
  transition.set_rule("target_missed");
  transition.set_kind("target_missed");
  transition.set_state(state);
  transition.set_asset_id("web");
  transition.set_at_unix_nanos(1'763'900'000'000'000'000);
  return transition;
}

class AlertOutboxTest : public testing::Test {
 protected:
  void OpenStore() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = "/store", .env = env_.get()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  std::unique_ptr<AlertOutbox> OpenOutbox(std::vector<std::string> sinks) {
    absl::StatusOr<std::unique_ptr<AlertOutbox>> outbox = AlertOutbox::Open(*store_, sinks);
    EXPECT_TRUE(outbox.ok()) << outbox.status();
    return outbox.ok() ? *std::move(outbox) : nullptr;
  }

  // The next transition waiting for `sink`, without waiting.
  std::optional<v1::AlertTransition> Next(AlertOutbox& outbox, const std::string& sink) {
    absl::StatusOr<std::optional<v1::AlertTransition>> next =
        outbox.Next(sink, absl::ZeroDuration());
    EXPECT_TRUE(next.ok()) << next.status();
    return next.ok() ? *next : std::nullopt;
  }

  std::unique_ptr<rocksdb::Env> env_{rocksdb::NewMemEnv(rocksdb::Env::Default())};
  std::unique_ptr<EvidenceStore> store_;
};

TEST_F(AlertOutboxTest, RecordedTransitionsAndFiringAlertsSurviveReopening) {
  OpenStore();
  {
    std::unique_ptr<AlertOutbox> outbox = OpenOutbox({"hook", "syslog-1"});
    v1::AlertTransition fired = Transition("a", v1::AlertTransition::FIRING);
    ASSERT_TRUE(outbox->Record(fired).ok());
    EXPECT_EQ(fired.sequence(), 1u);
    EXPECT_EQ(fired.idempotency_key(), "a#1");
    v1::AlertTransition other = Transition("b", v1::AlertTransition::FIRING);
    ASSERT_TRUE(outbox->Record(other).ok());
    v1::AlertTransition resolved = Transition("b", v1::AlertTransition::RESOLVED);
    ASSERT_TRUE(outbox->Record(resolved).ok());
    EXPECT_EQ(outbox->depth(), 3u);
  }
  OpenStore();  // As after a crash: nothing but the store remains.
  std::unique_ptr<AlertOutbox> outbox = OpenOutbox({"hook", "syslog-1"});
  ASSERT_EQ(outbox->firing_at_open().size(), 1u);  // b resolved.
  EXPECT_EQ(outbox->firing_at_open()[0].idempotency_key(), "a#1");
  EXPECT_EQ(outbox->depth(), 3u);
  EXPECT_EQ(outbox->Depths()["hook"].waiting, 3u);
  // In order, and the sequence goes on after the last one given.
  std::optional<v1::AlertTransition> next = Next(*outbox, "hook");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->idempotency_key(), "a#1");
  v1::AlertTransition again = Transition("a", v1::AlertTransition::RESOLVED);
  ASSERT_TRUE(outbox->Record(again).ok());
  EXPECT_EQ(again.sequence(), 4u);
}

TEST_F(AlertOutboxTest, EachSinkRemovesOnlyItsOwnCopy) {
  OpenStore();
  std::unique_ptr<AlertOutbox> outbox = OpenOutbox({"hook", "syslog-1"});
  v1::AlertTransition fired = Transition("a", v1::AlertTransition::FIRING);
  ASSERT_TRUE(outbox->Record(fired).ok());
  ASSERT_TRUE(outbox->Remove("hook", fired.sequence()).ok());
  EXPECT_FALSE(Next(*outbox, "hook").has_value());
  EXPECT_TRUE(Next(*outbox, "syslog-1").has_value());
  EXPECT_EQ(outbox->depth(), 1u);
  ASSERT_TRUE(outbox->Remove("syslog-1", fired.sequence()).ok());
  EXPECT_EQ(outbox->depth(), 0u);
  outbox.reset();
  OpenStore();
  outbox = OpenOutbox({"hook", "syslog-1"});
  EXPECT_EQ(outbox->depth(), 0u);
  EXPECT_EQ(outbox->firing_at_open().size(), 1u);  // Delivered, and still firing.
}

TEST_F(AlertOutboxTest, TransitionsOfASinkNoLongerConfiguredAreDropped) {
  OpenStore();
  {
    std::unique_ptr<AlertOutbox> outbox = OpenOutbox({"old", "hook"});
    v1::AlertTransition fired = Transition("a", v1::AlertTransition::FIRING);
    ASSERT_TRUE(outbox->Record(fired).ok());
  }
  std::unique_ptr<AlertOutbox> outbox = OpenOutbox({"hook"});
  EXPECT_EQ(outbox->Depths().size(), 1u);
  EXPECT_EQ(outbox->depth(), 1u);
  outbox = OpenOutbox({"old", "hook"});
  EXPECT_EQ(outbox->Depths()["old"].waiting, 0u);
}

TEST_F(AlertOutboxTest, NextWaitsForARecordAndStopWakesIt) {
  OpenStore();
  std::unique_ptr<AlertOutbox> outbox = OpenOutbox({"hook"});
  std::thread recorder([&] {
    v1::AlertTransition fired = Transition("a", v1::AlertTransition::FIRING);
    EXPECT_TRUE(outbox->Record(fired).ok());
  });
  absl::StatusOr<std::optional<v1::AlertTransition>> next = outbox->Next("hook", absl::Seconds(30));
  recorder.join();
  ASSERT_TRUE(next.ok() && next->has_value());
  outbox->Stop();
  EXPECT_TRUE(outbox->WaitForStop(absl::ZeroDuration()));
  next = outbox->Next("hook", absl::Seconds(30));  // Returns at once once stopping.
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

}  // namespace
}  // namespace postura::collector
