// A full spool keeps the newest result of every check: superseded items go first, the
// oldest batches only when that is not enough, and what goes is counted durably.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "agent/delivery/spool.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

using ::postura::test::TempDir;

// One run of `count` checks named prefix0, prefix1, ...: each item's detail names the run.
std::vector<v1::Evidence> RunOfChecks(const std::string& prefix, int count, int run) {
  std::vector<v1::Evidence> items(count);
  for (int i = 0; i < count; ++i) {
    items[i].set_asset_id("web");
    items[i].set_outcome_id("PR_AC_CSC_5_2");
    items[i].set_check_id(prefix + std::to_string(i));
    items[i].set_detail("run " + std::to_string(run) + std::string(100, '.'));
  }
  return items;
}

// Each batch of 10 items is about 1.4 KB: a segment holds two, the cap about six.
constexpr uint64_t kSegmentBytes = 3000;
constexpr uint64_t kMaxBytes = 9000;

std::unique_ptr<Spool> OpenSpool(const std::filesystem::path& dir) {
  SpoolOptions options;
  options.directory = dir;
  options.max_bytes = kMaxBytes;
  options.segment_bytes = kSegmentBytes;
  return Spool::Open(options).value();
}

std::vector<v1::Batch> Pending(Spool& spool) {
  return spool.Read(spool.acknowledged(), 1'000'000).value();
}

// Every pending item's detail, by check, oldest first.
std::map<std::string, std::vector<std::string>> DetailsByCheck(Spool& spool) {
  std::map<std::string, std::vector<std::string>> details;
  for (const v1::Batch& batch : Pending(spool)) {
    for (const v1::Evidence& item : batch.items()) {
      details[item.check_id()].push_back(item.detail().substr(0, item.detail().find('.')));
    }
  }
  return details;
}

uint64_t PendingItems(Spool& spool) {
  uint64_t items = 0;
  for (const v1::Batch& batch : Pending(spool)) items += batch.items_size();
  return items;
}

TEST(SpoolFullTest, SupersededItemsGoFirstAndTheNewestOfEveryCheckStays) {
  TempDir dir;
  auto spool = OpenSpool(dir.path());
  // The oldest batch holds checks that never run again: the newest results of theirs.
  ASSERT_EQ(spool->Append(RunOfChecks("once", 10, 1)).value(), 1u);
  for (int run = 1; run <= 30; ++run)
    ASSERT_TRUE(spool->Append(RunOfChecks("every", 10, run)).ok());

  EXPECT_LE(spool->pending_bytes(), kMaxBytes);
  EXPECT_GT(spool->dropped_items_total(), 0u);
  const auto details = DetailsByCheck(*spool);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(details.at("once" + std::to_string(i)), std::vector<std::string>{"run 1"})
        << "the oldest batch held the newest result of its checks";
    EXPECT_EQ(details.at("every" + std::to_string(i)).back(), "run 30");
  }
  // Nothing but superseded items went, and each is counted.
  EXPECT_EQ(spool->dropped_items_total() + PendingItems(*spool), 10u + 30 * 10);
  EXPECT_EQ(Pending(*spool).front().sequence(), 1u);
  EXPECT_EQ(Pending(*spool).back().sequence(), 31u);
  EXPECT_EQ(Pending(*spool).front().dropped_items_total(), spool->dropped_items_total());
}

TEST(SpoolFullTest, NothingIsDroppedBelowTheCap) {
  TempDir dir;
  auto spool = OpenSpool(dir.path());
  for (int run = 1; run <= 4; ++run) ASSERT_TRUE(spool->Append(RunOfChecks("every", 10, run)).ok());
  EXPECT_EQ(spool->dropped_items_total(), 0u);
  EXPECT_EQ(PendingItems(*spool), 40u);
}

TEST(SpoolFullTest, ABatchLosesOnlyItsSupersededItemsAndKeepsItsNumber) {
  TempDir dir;
  auto spool = OpenSpool(dir.path());
  std::vector<v1::Evidence> mixed = RunOfChecks("repeated", 5, 1);
  for (v1::Evidence& item : RunOfChecks("single", 5, 1)) mixed.push_back(item);
  ASSERT_EQ(spool->Append(mixed).value(), 1u);
  for (int run = 2; run <= 30; ++run)
    ASSERT_TRUE(spool->Append(RunOfChecks("repeated", 5, run)).ok());

  const std::vector<v1::Batch> pending = Pending(*spool);
  ASSERT_FALSE(pending.empty());
  EXPECT_EQ(pending.front().sequence(), 1u);
  ASSERT_EQ(pending.front().items_size(), 5);
  for (const v1::Evidence& item : pending.front().items()) {
    EXPECT_EQ(item.check_id().rfind("single", 0), 0u) << item.check_id();
  }
  EXPECT_EQ(spool->dropped_items_total() + PendingItems(*spool), 10u + 29 * 5);
}

TEST(SpoolFullTest, WhenNothingIsSupersededTheOldestGo) {
  TempDir dir;
  auto spool = OpenSpool(dir.path());
  for (int run = 1; run <= 20; ++run) {
    ASSERT_TRUE(
        spool->Append(RunOfChecks("checks-of-run-" + std::to_string(run) + "-", 10, run)).ok());
  }
  const std::vector<v1::Batch> pending = Pending(*spool);
  EXPECT_LE(spool->pending_bytes(), kMaxBytes);
  EXPECT_EQ(pending.back().sequence(), 20u);
  EXPECT_GT(pending.front().sequence(), 1u);
  EXPECT_EQ(spool->dropped_items_total(), 10 * (20 - pending.size()));
}

TEST(SpoolFullTest, BatchesHandedToTheUploaderKeepTheirItemsUntilItStartsAfresh) {
  TempDir dir;
  auto spool = OpenSpool(dir.path());
  ASSERT_EQ(spool->Append(RunOfChecks("every", 10, 1)).value(), 1u);
  ASSERT_EQ(spool->Read(0, 1).value().size(), 1u);  // Batch 1 is on its way.
  for (int run = 2; run <= 30; ++run) {
    ASSERT_TRUE(spool->Append(RunOfChecks("every", 10, run)).ok());
  }
  EXPECT_GT(spool->dropped_items_total(), 0u);
  const std::vector<v1::Batch> in_flight = spool->Read(0, 1).value();
  ASSERT_EQ(in_flight.size(), 1u);
  EXPECT_EQ(in_flight[0].sequence(), 1u);
  EXPECT_EQ(in_flight[0].items_size(), 10) << "batch 1 may be stored already: it stays whole";

  // A new stream asks for what follows the acknowledged batches: nothing is in flight, and
  // batch 1, superseded, can go.
  ASSERT_TRUE(spool->Read(spool->acknowledged(), 0).ok());
  for (int run = 31; run <= 60; ++run) {
    ASSERT_TRUE(spool->Append(RunOfChecks("every", 10, run)).ok());
  }
  EXPECT_NE(spool->oldest_pending(), 1u);
  EXPECT_EQ(spool->dropped_items_total() + PendingItems(*spool), 60u * 10);
}

TEST(SpoolFullTest, TheCountAndTheSourcesSurviveReopening) {
  TempDir dir;
  uint64_t dropped = 0;
  {
    auto spool = OpenSpool(dir.path());
    ASSERT_EQ(spool->Append(RunOfChecks("once", 10, 1)).value(), 1u);
    for (int run = 1; run <= 12; ++run)
      ASSERT_TRUE(spool->Append(RunOfChecks("every", 10, run)).ok());
    dropped = spool->dropped_items_total();
    EXPECT_GT(dropped, 0u);
  }
  // A rewrite cut short by a crash leaves its file; the segment it was to replace is whole.
  std::ofstream(dir.path() / "rewrite.tmp") << "half a segment";
  auto spool = OpenSpool(dir.path());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "rewrite.tmp"));
  EXPECT_EQ(spool->dropped_items_total(), dropped);
  for (int run = 13; run <= 30; ++run)
    ASSERT_TRUE(spool->Append(RunOfChecks("every", 10, run)).ok());
  EXPECT_GT(spool->dropped_items_total(), dropped);
  const auto details = DetailsByCheck(*spool);
  EXPECT_EQ(details.at("once0"), std::vector<std::string>{"run 1"});
  EXPECT_EQ(details.at("every0").back(), "run 30");
  EXPECT_EQ(spool->dropped_items_total() + PendingItems(*spool), 10u + 30 * 10);
}

}  // namespace
}  // namespace postura::agent
