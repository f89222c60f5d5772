#include "common/base/heap.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace postura {
namespace {

TEST(HeapTest, FiguresFollowWhatTheProgramHoldsAndReleasingKeepsItValid) {
  const HeapFigures before = ReadHeapFigures();
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 64; ++i) {
    blocks.push_back(std::make_unique<char[]>(64 << 10));
    blocks.back()[0] = static_cast<char>(i);  // Touched, so the allocation is real.
  }
  const HeapFigures holding = ReadHeapFigures();
  // Sanitizer builds replace malloc: neither tcmalloc nor glibc's arenas see the blocks.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_GE(holding.allocated, before.allocated + (64 << 16));
#endif
  blocks.clear();
  ReleaseFreeHeapMemory();
  const HeapFigures after = ReadHeapFigures();
  EXPECT_LE(after.allocated, holding.allocated);
  EXPECT_EQ(after.tcmalloc, before.tcmalloc);
  // What was freed and released is usable again.
  auto again = std::make_unique<char[]>(1 << 20);
  again[0] = 1;
  EXPECT_EQ(again[0], 1);
}

TEST(HeapTest, KeepingTheHeapSmallTakesWhereTcmallocIsLinkedAndLeavesItUsable) {
  EXPECT_EQ(KeepHeapSmall(4 << 20), ReadHeapFigures().tcmalloc);
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 16; ++i) blocks.push_back(std::make_unique<char[]>(256 << 10));
  blocks.clear();
  auto again = std::make_unique<char[]>(1 << 20);
  again[0] = 2;
  EXPECT_EQ(again[0], 2);
}

TEST(HeapTest, AReleaserStopsAtOnceWhenDestroyed) {
  const absl::Time start = absl::Now();
  { HeapReleaser releaser(absl::Hours(1)); }
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));  // Not after its period.
}

}  // namespace
}  // namespace postura
