#ifndef POSTURA_COMMON_PLANNER_PLANNER_DP_TREE_H_
#define POSTURA_COMMON_PLANNER_PLANNER_DP_TREE_H_

// The scope tree the planner's dynamic programme runs on (docs/planner.md, "Dynamic
// programme"): the asset, its functions, their categories and their outcomes, each node
// with its target's range of sums, the ratio that takes its sum into its parent's units,
// and what the targets above it need of its table. Internal to the dynamic programme:
// planner_dp.cc builds one per SolveByDp call and fills in its tables. A plain value:
// one thread uses a tree at a time.

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "common/planner/planner_dp.h"
#include "common/planner/planner_dp_table.h"

namespace postura::planner_internal {

// Children combined one at a time: steps[i] holds children[0..i].
struct Chain {
  std::vector<int> children;
  std::vector<Table> steps;
};

// A scope (the asset, a function, a category) or an outcome (a leaf).
struct Node {
  int outcome = -1;
  std::vector<int> children;
  // This node's sum in its parent's units is sum * num / den (ScoringModel units are
  // proportional: see BuildScopeTree).
  int64_t num = 1;
  int64_t den = 1;
  SumRange range{0, std::numeric_limits<int64_t>::max()};
  bool has_lo = false;  // The range excludes some reachable sum from below.
  bool has_hi = false;
  Need need;                  // Of the scopes strictly above.
  Need child_need;            // Of the scopes from this one up.
  std::vector<Chain> chains;  // One; two at a constrained root (TreeDp::SplitRoot).
  Table table;                // Sums in range, pruned for `need`.
  int64_t min_changes = 0;    // Fewest changes that meet the targets inside (first pass).
};

// The tree of a DpProblem. Nodes are in preorder: children have higher ids than their
// parent.
struct ScopeTree {
  std::vector<Node> nodes;
  int root = -1;
  std::vector<int> leaves;  // Node ids of the outcomes.
};

// The tree of `problem`, with every node's range, ratio and needs; nullopt if the catalog
// is outside the programme's assumptions (units that are not proportional within a scope,
// or an applicable outcome outside the tree): then an integer program must decide. The
// tree keeps no reference to `problem`.
std::optional<ScopeTree> BuildScopeTree(const DpProblem& problem);

}  // namespace postura::planner_internal

#endif  // POSTURA_COMMON_PLANNER_PLANNER_DP_TREE_H_
