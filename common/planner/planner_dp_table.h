#ifndef POSTURA_COMMON_PLANNER_PLANNER_DP_TABLE_H_
#define POSTURA_COMMON_PLANNER_PLANNER_DP_TABLE_H_

// The tables of the planner's dynamic programme (docs/planner.md, "Dynamic programme"): a
// subtree of scopes summarised as, for each sum it can reach, the least cost and how to
// reach it; tables combined child by child; entries that the targets enclosing a table can
// never prefer pruned; and the cheapest pair across the root's two tables. Internal to the
// dynamic programme: planner_dp.cc runs it, and the scope tree (planner_dp_tree.h) holds
// the tables. Tables are plain values; a TableCombiner keeps scratch space, so one thread
// uses it at a time.

#include <cstdint>
#include <limits>
#include <vector>

#include "common/planner/planner_dp.h"

namespace postura::planner_internal {

inline constexpr int64_t kNoCost = std::numeric_limits<int64_t>::max();

// What the targets on the scopes enclosing a table need of it. A partial solution whose
// sum no such target can prefer to that of a cheaper one is dropped.
struct Need {
  bool large = false;  // Some enclosing scope has a lower bound: a larger sum may help.
  bool small = false;  // Some enclosing scope has an upper bound: a smaller sum may help.
  bool any() const { return large || small; }
};

// A partial solution: of a subtree, or of the first children of a node.
struct Entry {
  int64_t sum;    // In the units of the table's node.
  int64_t cost;   // Lexicographic key (TreeDp::Cost, planner_dp.cc).
  int32_t left;   // Entry of the chain's previous step (or of the seed); -1 for leaves.
  int32_t right;  // Entry of the child's table; for a leaf, the level.
};
// Always sorted by ascending sum, one entry per sum.
using Table = std::vector<Entry>;

// Drops the entries of a sorted table that `need` cannot prefer to a cheaper one.
void Prune(Need need, Table& table);

// An entry of one table and an entry of another, by position.
struct PairPick {
  int64_t cost = kNoCost;  // Of the two entries together.
  int32_t a = -1;
  int32_t b = -1;
};

// The cheapest pair of an entry of `a` and an entry of `b` whose sums add up to a sum in
// `range` (the root's two chains under the asset's range, in linear time); cost kNoCost
// if no pair does.
PairPick CheapestPairInRange(const Table& a, const Table& b, const SumRange& range);

// Combines tables, counting the pairs of entries it combines against a limit for the
// whole programme.
class TableCombiner {
 public:
  explicit TableCombiner(int64_t work_limit) : work_limit_(work_limit) {}

  // Every entry of `acc` with every entry of `child` whose cost stays within `limit`,
  // the child's sums scaled by num / den; pruned for `need`. False when the work or
  // memory limit would be exceeded (or a scaled sum is not whole, which a valid model
  // rules out).
  bool Combine(const Table& acc, const Table& child, int64_t num, int64_t den, Need need,
               int64_t limit, Table& out);

  // Pairs of entries combined so far.
  int64_t work() const { return work_; }

 private:
  // The parts of Combine, with the child's sums already in scaled_.
  void CombineCheapest(const Table& acc, const Table& child, int64_t limit, Table& out);
  void CombineDense(const Table& acc, const Table& child, int64_t step, int64_t span, int64_t limit,
                    Table& out);
  void CombineSparse(const Table& acc, const Table& child, int64_t limit, Table& out);

  const int64_t work_limit_;
  int64_t work_ = 0;
  // Scratch for Combine.
  std::vector<int64_t> scaled_, offset_, best_cost_;
  std::vector<int32_t> best_left_, best_right_;
};

}  // namespace postura::planner_internal

#endif  // POSTURA_COMMON_PLANNER_PLANNER_DP_TABLE_H_
