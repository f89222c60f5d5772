#include "common/planner/planner_dp.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "common/planner/planner_dp_table.h"
#include "common/planner/planner_dp_tree.h"

namespace postura {
namespace {

using planner_internal::BuildScopeTree;
using planner_internal::Chain;
using planner_internal::CheapestPairInRange;
using planner_internal::Entry;
using planner_internal::kNoCost;
using planner_internal::Need;
using planner_internal::Node;
using planner_internal::PairPick;
using planner_internal::Prune;
using planner_internal::ScopeTree;
using planner_internal::Table;
using planner_internal::TableCombiner;

int64_t Minus(int64_t limit, int64_t amount) { return limit == kNoCost ? kNoCost : limit - amount; }

// The dynamic programme over the tree asset > functions > categories > outcomes. In the
// integer model every sum is linear in the levels, and the sums of one subtree enter
// every enclosing sum through the subtree's own sum times a fixed ratio. So a subtree is
// summarised by a table: for each own sum reachable, the least cost. Tables combine
// child by child; targets cut a node's table to its range; and entries that the
// enclosing targets cannot prefer are pruned (a larger sum at no more cost when only
// lower bounds enclose). Two passes: the first minimises changes alone, which gives the
// fewest changes of each subtree and, improved greedily, a feasible status; the second
// minimises the full lexicographic key, dropping every partial solution that cannot
// beat that status.
class TreeDp {
 public:
  TreeDp(const DpProblem& problem, const DpOptions& options)
      : problem_(problem),
        model_(*problem.model),
        options_(options),
        combiner_(options.work_limit) {}

  absl::StatusOr<DpResult> Solve();

 private:
  enum class Pass { kChanges, kFull };

  bool BuildWeights();
  int64_t Cost(int outcome, Level level, Pass pass) const;
  // Builds every table bottom-up; the cheapest root cost, kNoCost if none is within
  // `limit`. Sets gave_up_ when the work limit is reached.
  absl::StatusOr<int64_t> RunPass(Pass pass, int64_t limit);
  absl::Status Process(int v, int64_t limit, Pass pass);
  void LeafTable(Node& node, Pass pass, int64_t limit);
  bool Accumulate(Chain& chain, Need need, int64_t limit);
  void Finish(Node& node);
  // The cheapest root solution; kNoCost if none. Sets root_pick_.
  int64_t BestAtRoot();
  void SplitRoot(Node& root);
  void Reconstruct(int v, const Entry& entry, std::vector<Level>& status) const;
  void ReconstructChain(const Chain& chain, Entry entry, std::vector<Level>& status) const;
  std::vector<Level> RootStatus() const;
  int64_t Improve(std::vector<Level>& status) const;

  const DpProblem& problem_;
  const ScoringModel& model_;
  const DpOptions options_;
  TableCombiner combiner_;
  std::vector<Node> nodes_;
  int root_ = -1;
  std::vector<int> leaves_;  // Node ids of the outcomes.
  int64_t change_weight_ = 0;
  int64_t increase_weight_ = 0;
  bool gave_up_ = false;
  // The root's answer: entries of the last step of each chain.
  std::vector<int32_t> root_pick_;
  const Table seed_ = {{0, 0, -1, -1}};  // The empty combination.
};

// Weights of the lexicographic key changes * W1 + increase * W2 + decrease: W2 exceeds
// any total decrease and W1 any total of increase * W2 + decrease.
bool TreeDp::BuildWeights() {
  __int128 increase = 0, decrease = 0;
  for (int v : leaves_) {
    const int o = nodes_[v].outcome;
    const int now = LevelHundredths(problem_.current[o]);
    int up = 0, down = 0;
    for (Level level : kAllLevels) {
      if (!(problem_.allowed[o] >> static_cast<int>(level) & 1)) continue;
      up = std::max(up, LevelHundredths(level) - now);
      down = std::max(down, now - LevelHundredths(level));
    }
    increase += static_cast<__int128>(up) * problem_.effort[o];
    decrease += down;
  }
  const __int128 w2 = decrease + 1;
  const __int128 w1 = (increase + 1) * w2;
  if (w1 * (static_cast<__int128>(leaves_.size()) + 1) > (__int128{1} << 62)) return false;
  increase_weight_ = static_cast<int64_t>(w2);
  change_weight_ = static_cast<int64_t>(w1);
  return true;
}

int64_t TreeDp::Cost(int outcome, Level level, Pass pass) const {
  const int delta = LevelHundredths(level) - LevelHundredths(problem_.current[outcome]);
  if (pass == Pass::kChanges) return delta != 0;
  if (delta == 0) return 0;
  if (delta > 0) return change_weight_ + increase_weight_ * problem_.effort[outcome] * delta;
  return change_weight_ - delta;
}

void TreeDp::LeafTable(Node& node, Pass pass, int64_t limit) {
  const int o = node.outcome;
  const int64_t units = model_.units(o).category;
  node.table.clear();
  for (Level level : kAllLevels) {
    if (!(problem_.allowed[o] >> static_cast<int>(level) & 1)) continue;
    const int64_t cost = Cost(o, level, pass);
    if (cost > limit) continue;
    node.table.push_back({units * LevelHundredths(level), cost, -1, static_cast<int32_t>(level)});
  }
  Prune(node.need, node.table);
}

bool TreeDp::Accumulate(Chain& chain, Need need, int64_t limit) {
  // Children still to come need at least their fewest changes.
  int64_t rest = 0;
  for (int c : chain.children) rest += nodes_[c].min_changes * change_weight_;
  chain.steps.clear();
  for (std::size_t i = 0; i < chain.children.size(); ++i) {
    const Node& child = nodes_[chain.children[i]];
    rest -= child.min_changes * change_weight_;
    chain.steps.emplace_back();
    const Table& acc = i == 0 ? seed_ : chain.steps[i - 1];
    if (!combiner_.Combine(acc, child.table, child.num, child.den, need, Minus(limit, rest),
                           chain.steps.back())) {
      return false;
    }
  }
  return true;
}

void TreeDp::Finish(Node& node) {
  const Chain& chain = node.chains[0];
  node.table.clear();
  if (chain.children.empty()) {
    node.table.push_back({0, 0, -1, -1});
  } else {
    node.table = chain.steps.back();
  }
  std::erase_if(node.table,
                [&](const Entry& e) { return e.sum < node.range.lo || e.sum > node.range.hi; });
  Prune(node.need, node.table);
}

// Splits the root's children into two chains whose tables are never combined in full:
// BestAtRoot pairs their entries under the asset's range.
void TreeDp::SplitRoot(Node& root) {
  std::vector<int> order = root.children;
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return nodes_[a].table.size() > nodes_[b].table.size(); });
  root.chains.assign(2, Chain());
  double size[2] = {1, 1};
  for (int c : order) {
    // Neither chain stays empty (there are at least two children).
    const int side = root.chains[1].children.empty() && !root.chains[0].children.empty()
                         ? 1
                         : (size[0] <= size[1] ? 0 : 1);
    root.chains[side].children.push_back(c);
    size[side] *= static_cast<double>(std::max<std::size_t>(nodes_[c].table.size(), 1));
  }
}

absl::Status TreeDp::Process(int v, int64_t limit, Pass pass) {
  Node& node = nodes_[v];
  if (node.outcome >= 0) {
    LeafTable(node, pass, limit);
    return absl::OkStatus();
  }
  if (absl::Now() > options_.deadline) return absl::DeadlineExceededError("planner time limit");
  int64_t children_least = 0;
  for (int c : node.children) children_least += nodes_[c].min_changes * change_weight_;
  for (int c : node.children) {
    const int64_t others = children_least - nodes_[c].min_changes * change_weight_;
    if (absl::Status s = Process(c, Minus(limit, others), pass); !s.ok()) return s;
    if (gave_up_) return absl::OkStatus();
  }
  if (v == root_ && node.child_need.any() && node.children.size() >= 2) {
    SplitRoot(node);
    for (int side : {0, 1}) {
      int64_t other = 0;
      for (int c : node.chains[1 - side].children) other += nodes_[c].min_changes * change_weight_;
      if (!Accumulate(node.chains[side], node.child_need, Minus(limit, other))) {
        gave_up_ = true;
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }
  node.chains.assign(1, Chain());
  node.chains[0].children = node.children;
  if (!Accumulate(node.chains[0], node.child_need, limit)) {
    gave_up_ = true;
    return absl::OkStatus();
  }
  Finish(node);
  return absl::OkStatus();
}

int64_t TreeDp::BestAtRoot() {
  Node& root = nodes_[root_];
  root_pick_.clear();
  if (root.chains.size() == 1) {
    if (root.table.empty()) return kNoCost;
    std::size_t best = 0;
    for (std::size_t k = 1; k < root.table.size(); ++k) {
      if (root.table[k].cost < root.table[best].cost) best = k;
    }
    root_pick_ = {static_cast<int32_t>(best)};
    return root.table[best].cost;
  }
  const PairPick pick =
      CheapestPairInRange(root.chains[0].steps.back(), root.chains[1].steps.back(), root.range);
  if (pick.cost != kNoCost) root_pick_ = {pick.a, pick.b};
  return pick.cost;
}

void TreeDp::ReconstructChain(const Chain& chain, Entry entry, std::vector<Level>& status) const {
  for (std::size_t i = chain.children.size(); i-- > 0;) {
    const Node& child = nodes_[chain.children[i]];
    Reconstruct(chain.children[i], child.table[entry.right], status);
    if (i > 0) entry = chain.steps[i - 1][entry.left];
  }
}

void TreeDp::Reconstruct(int v, const Entry& entry, std::vector<Level>& status) const {
  const Node& node = nodes_[v];
  if (node.outcome >= 0) {
    status[node.outcome] = static_cast<Level>(entry.right);
    return;
  }
  ReconstructChain(node.chains[0], entry, status);
}

std::vector<Level> TreeDp::RootStatus() const {
  std::vector<Level> status = problem_.current;
  const Node& root = nodes_[root_];
  if (root.chains.size() == 1) {
    Reconstruct(root_, root.table[root_pick_[0]], status);
  } else {
    for (int side : {0, 1}) {
      ReconstructChain(root.chains[side], root.chains[side].steps.back()[root_pick_[side]], status);
    }
  }
  return status;
}

absl::StatusOr<int64_t> TreeDp::RunPass(Pass pass, int64_t limit) {
  if (absl::Status s = Process(root_, limit, pass); !s.ok()) return s;
  if (gave_up_) return kNoCost;
  return BestAtRoot();
}

// Lowers the cost of a feasible status one outcome at a time while every target holds;
// returns its cost.
int64_t TreeDp::Improve(std::vector<Level>& status) const {
  std::vector<int64_t> category(model_.category_count()), function(model_.function_count());
  int64_t asset = 0;
  for (int v : leaves_) {
    const int o = nodes_[v].outcome;
    const ScoringModel::OutcomeUnits& units = model_.units(o);
    const int h = LevelHundredths(status[o]);
    category[model_.category_of(o)] += units.category * h;
    function[model_.function_of(o)] += units.function * h;
    asset += units.asset * h;
  }
  auto within = [](const std::optional<SumRange>& range, int64_t sum) {
    return !range || (range->lo <= sum && sum <= range->hi);
  };
  for (bool improved = true; improved;) {
    improved = false;
    for (int v : leaves_) {
      const int o = nodes_[v].outcome;
      const int c = model_.category_of(o), f = model_.function_of(o);
      const ScoringModel::OutcomeUnits& units = model_.units(o);
      Level best = status[o];
      for (Level level : kAllLevels) {
        if (!(problem_.allowed[o] >> static_cast<int>(level) & 1)) continue;
        if (Cost(o, level, Pass::kFull) >= Cost(o, best, Pass::kFull)) continue;
        const int64_t d = LevelHundredths(level) - LevelHundredths(status[o]);
        if (within(problem_.category_range[c], category[c] + units.category * d) &&
            within(problem_.function_range[f], function[f] + units.function * d) &&
            within(problem_.asset_range, asset + units.asset * d)) {
          best = level;
        }
      }
      if (best == status[o]) continue;
      const int64_t d = LevelHundredths(best) - LevelHundredths(status[o]);
      category[c] += units.category * d;
      function[f] += units.function * d;
      asset += units.asset * d;
      status[o] = best;
      improved = true;
    }
  }
  int64_t cost = 0;
  for (int v : leaves_) cost += Cost(nodes_[v].outcome, status[nodes_[v].outcome], Pass::kFull);
  return cost;
}

absl::StatusOr<DpResult> TreeDp::Solve() {
  DpResult result;
  std::optional<ScopeTree> tree = BuildScopeTree(problem_);
  if (!tree) return result;
  nodes_ = std::move(tree->nodes);
  root_ = tree->root;
  leaves_ = std::move(tree->leaves);
  if (!BuildWeights()) return result;
  for (const Node& node : nodes_) {
    if (node.range.empty()) {
      result.verdict = DpVerdict::kInfeasible;
      return result;
    }
  }
  // Fewest changes first. Tables that must keep every reachable sum (a scope with both
  // bounds, or lower and upper bounds nested) can be large, so then the changes allowed
  // double from 2: when few are needed, the tables stay small. Otherwise a table of the
  // first pass holds at most one entry per number of changes anyway.
  const bool every_sum = std::any_of(nodes_.begin(), nodes_.end(), [](const Node& node) {
    return node.child_need.large && node.child_need.small;
  });
  absl::StatusOr<int64_t> changes = kNoCost;
  const int64_t most = static_cast<int64_t>(leaves_.size());
  for (int64_t allowed = every_sum ? 2 : most;; allowed *= 2) {
    changes = RunPass(Pass::kChanges, allowed >= most ? kNoCost : allowed);
    if (!changes.ok()) return changes.status();
    if (gave_up_ || *changes != kNoCost || allowed >= most) break;
  }
  result.work = combiner_.work();
  if (gave_up_) return result;
  if (*changes == kNoCost) {
    result.verdict = DpVerdict::kInfeasible;
    return result;
  }
  std::vector<Level> status = RootStatus();
  if (options_.feasibility_only) {
    result.verdict = DpVerdict::kOptimal;
    result.status = std::move(status);
    return result;
  }
  for (Node& node : nodes_) {
    int64_t least = kNoCost;
    for (const Entry& e : node.table) least = std::min(least, e.cost);
    node.min_changes = node.table.empty() ? 0 : least;
  }
  const int64_t bound = Improve(status);
  absl::StatusOr<int64_t> best = RunPass(Pass::kFull, bound);
  if (!best.ok()) return best.status();
  result.work = combiner_.work();
  if (gave_up_) return result;
  if (*best == kNoCost || *best > bound) {
    return absl::InternalError("planner's dynamic programme lost a feasible status");
  }
  result.verdict = DpVerdict::kOptimal;
  result.status = RootStatus();
  return result;
}

}  // namespace

absl::StatusOr<DpResult> SolveByDp(const DpProblem& problem, const DpOptions& options) {
  TreeDp dp(problem, options);
  return dp.Solve();
}

}  // namespace postura
