#include "common/planner_dp.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <numeric>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"

namespace postura {
namespace {

constexpr int64_t kNoCost = std::numeric_limits<int64_t>::max();
// Memory bounds of one Combine (16 and 24 bytes per item): 64 MiB and 96 MiB.
constexpr int64_t kMaxDenseSpan = int64_t{1} << 22;
constexpr int64_t kMaxSparsePairs = int64_t{1} << 22;

int64_t Minus(int64_t limit, int64_t amount) { return limit == kNoCost ? kNoCost : limit - amount; }

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
  int64_t cost;   // Lexicographic key (TreeDp::Cost).
  int32_t left;   // Entry of the chain's previous step (or of the seed); -1 for leaves.
  int32_t right;  // Entry of the child's table; for a leaf, the level.
};
// Always sorted by ascending sum, one entry per sum.
using Table = std::vector<Entry>;

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
  // proportional: see TreeDp::BuildTree).
  int64_t num = 1;
  int64_t den = 1;
  SumRange range{0, std::numeric_limits<int64_t>::max()};
  bool has_lo = false;  // The range excludes some reachable sum from below.
  bool has_hi = false;
  Need need;                  // Of the scopes strictly above.
  Need child_need;            // Of the scopes from this one up.
  std::vector<Chain> chains;  // One; two at a constrained root (see SplitRoot).
  Table table;                // Sums in range, pruned for `need`.
  int64_t min_changes = 0;    // Fewest changes that meet the targets inside (first pass).
};

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
      : problem_(problem), model_(*problem.model), options_(options) {}

  absl::StatusOr<DpResult> Solve();

 private:
  enum class Pass { kChanges, kFull };

  bool BuildTree();
  bool BuildWeights();
  int AddNode();
  int64_t Cost(int outcome, Level level, Pass pass) const;
  // Builds every table bottom-up; the cheapest root cost, kNoCost if none is within
  // `limit`. Sets gave_up_ when the work limit is reached.
  absl::StatusOr<int64_t> RunPass(Pass pass, int64_t limit);
  absl::Status Process(int v, int64_t limit, Pass pass);
  void LeafTable(Node& node, Pass pass, int64_t limit);
  bool Accumulate(Chain& chain, Need need, int64_t limit);
  // Every entry of `acc` with every entry of `child` whose cost stays within `limit`,
  // the child's sums scaled by num / den; pruned for `need`. False when the work or
  // memory limit would be exceeded (or a scaled sum is not whole, which a valid model
  // rules out).
  bool Combine(const Table& acc, const Table& child, int64_t num, int64_t den, Need need,
               int64_t limit, Table& out);
  // The parts of Combine, with the child's sums already in scaled_.
  void CombineCheapest(const Table& acc, const Table& child, int64_t limit, Table& out);
  void CombineDense(const Table& acc, const Table& child, int64_t step, int64_t span, int64_t limit,
                    Table& out);
  void CombineSparse(const Table& acc, const Table& child, int64_t limit, Table& out);
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
  std::vector<Node> nodes_;
  int root_ = -1;
  std::vector<int> leaves_;  // Node ids of the outcomes.
  int64_t change_weight_ = 0;
  int64_t increase_weight_ = 0;
  int64_t work_ = 0;
  bool gave_up_ = false;
  // The root's answer: entries of the last step of each chain.
  std::vector<int32_t> root_pick_;
  const Table seed_ = {{0, 0, -1, -1}};  // The empty combination.
  // Scratch for Combine.
  std::vector<int64_t> scaled_, offset_, best_cost_;
  std::vector<int32_t> best_left_, best_right_;
};

int TreeDp::AddNode() {
  nodes_.emplace_back();
  return static_cast<int>(nodes_.size()) - 1;
}

// Lowest terms of units_parent / units_child, the same for every outcome of the child.
bool RatioOf(const std::vector<std::pair<int64_t, int64_t>>& units, int64_t& num, int64_t& den) {
  num = 1;
  den = 1;
  if (units.empty()) return true;
  if (units[0].second <= 0) return false;
  const int64_t g = std::gcd(units[0].first, units[0].second);
  num = units[0].first / g;
  den = units[0].second / g;
  for (const auto& [parent, child] : units) {
    if (parent * den != child * num) return false;
  }
  return true;
}

void SetRange(Node& node, const std::optional<SumRange>& range, int64_t scale) {
  if (!range) return;
  node.range = *range;
  node.has_lo = range->lo > 0;
  node.has_hi = range->hi < scale;
}

bool TreeDp::BuildTree() {
  root_ = AddNode();
  SetRange(nodes_[root_], problem_.asset_range, model_.asset_scale());
  int covered = 0;
  for (int f : model_.applicable_functions()) {
    const int fn = AddNode();
    nodes_[root_].children.push_back(fn);
    SetRange(nodes_[fn], problem_.function_range[f], model_.function_scale(f));
    std::vector<std::pair<int64_t, int64_t>> asset_per_function;
    for (int c : model_.categories_of(f)) {
      const int cn = AddNode();
      nodes_[fn].children.push_back(cn);
      SetRange(nodes_[cn], problem_.category_range[c], model_.category_scale(c));
      std::vector<std::pair<int64_t, int64_t>> function_per_category;
      for (int o : model_.outcomes_of(c)) {
        const ScoringModel::OutcomeUnits& units = model_.units(o);
        if (model_.function_of(o) != f) return false;
        const int on = AddNode();
        nodes_[cn].children.push_back(on);
        nodes_[on].outcome = o;
        leaves_.push_back(on);
        function_per_category.emplace_back(units.function, units.category);
        asset_per_function.emplace_back(units.asset, units.function);
        ++covered;
      }
      if (!RatioOf(function_per_category, nodes_[cn].num, nodes_[cn].den)) return false;
    }
    if (!RatioOf(asset_per_function, nodes_[fn].num, nodes_[fn].den)) return false;
  }
  // An applicable outcome outside the tree: leave such catalogs to the integer program.
  if (covered != static_cast<int>(model_.applicable_outcomes().size())) return false;
  // Needs flow down: preorder, since children have higher ids.
  for (Node& node : nodes_) {
    node.child_need = {node.need.large || node.has_lo, node.need.small || node.has_hi};
    for (int c : node.children) nodes_[c].need = node.child_need;
  }
  return true;
}

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

// Drops the entries of a sorted table that `need` cannot prefer to a cheaper one.
void Prune(Need need, Table& table) {
  if (table.empty()) return;
  if (!need.any()) {
    auto cheapest = std::min_element(
        table.begin(), table.end(), [](const Entry& a, const Entry& b) { return a.cost < b.cost; });
    const Entry keep = *cheapest;
    table.assign(1, keep);
    return;
  }
  if (need.large && need.small) return;
  std::size_t kept = 0;
  int64_t cheapest = kNoCost;
  if (need.small) {
    for (const Entry& e : table) {
      if (e.cost < cheapest) {
        cheapest = e.cost;
        table[kept++] = e;
      }
    }
    table.resize(kept);
    return;
  }
  // Larger sums first; the kept entries gather at the back, in order.
  kept = table.size();
  for (std::size_t i = table.size(); i-- > 0;) {
    if (table[i].cost < cheapest) {
      cheapest = table[i].cost;
      table[--kept] = table[i];
    }
  }
  table.erase(table.begin(), table.begin() + static_cast<std::ptrdiff_t>(kept));
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

bool TreeDp::Combine(const Table& acc, const Table& child, int64_t num, int64_t den, Need need,
                     int64_t limit, Table& out) {
  out.clear();
  if (acc.empty() || child.empty()) return true;
  scaled_.resize(child.size());
  for (std::size_t j = 0; j < child.size(); ++j) {
    const int64_t product = child[j].sum * num;
    if (product % den != 0) return false;
    scaled_[j] = product / den;
  }
  if (!need.any()) {
    CombineCheapest(acc, child, limit, out);
    return true;
  }
  const int64_t pairs = static_cast<int64_t>(acc.size()) * static_cast<int64_t>(child.size());
  work_ += pairs;
  if (work_ > options_.work_limit) return false;
  // The sums are base + k * step: dense arrays over k when they are not too sparse.
  int64_t step = 0;
  for (const Entry& e : acc) step = std::gcd(step, e.sum - acc[0].sum);
  for (int64_t s : scaled_) step = std::gcd(step, s - scaled_[0]);
  if (step == 0) step = 1;
  const int64_t span = (acc.back().sum + scaled_.back() - acc[0].sum - scaled_[0]) / step + 1;
  if (span <= std::max<int64_t>(4 * pairs, 4096) && span <= kMaxDenseSpan) {
    CombineDense(acc, child, step, span, limit, out);
  } else if (pairs <= kMaxSparsePairs) {
    CombineSparse(acc, child, limit, out);
  } else {
    return false;
  }
  Prune(need, out);
  return true;
}

void TreeDp::CombineCheapest(const Table& acc, const Table& child, int64_t limit, Table& out) {
  auto cheapest = [](const Table& table) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < table.size(); ++k) {
      if (table[k].cost < table[best].cost) best = k;
    }
    return best;
  };
  const std::size_t i = cheapest(acc), j = cheapest(child);
  const int64_t cost = acc[i].cost + child[j].cost;
  if (cost > limit) return;
  out.push_back({acc[i].sum + scaled_[j], cost, static_cast<int32_t>(i), static_cast<int32_t>(j)});
}

// Calls visit(i, j, cost) for every pair whose cost stays within `limit`.
template <typename Visit>
void ForEachPair(const Table& acc, const Table& child, int64_t limit, Visit visit) {
  int64_t child_cheapest = kNoCost;
  bool by_cost = true;  // Costs ascend with the sums: stop at the first too costly.
  for (std::size_t j = 0; j < child.size(); ++j) {
    child_cheapest = std::min(child_cheapest, child[j].cost);
    if (j > 0 && child[j].cost < child[j - 1].cost) by_cost = false;
  }
  for (std::size_t i = 0; i < acc.size(); ++i) {
    if (acc[i].cost > limit - child_cheapest) continue;
    for (std::size_t j = 0; j < child.size(); ++j) {
      const int64_t cost = acc[i].cost + child[j].cost;
      if (cost > limit) {
        if (by_cost) break;
        continue;
      }
      visit(i, j, cost);
    }
  }
}

void TreeDp::CombineDense(const Table& acc, const Table& child, int64_t step, int64_t span,
                          int64_t limit, Table& out) {
  best_cost_.assign(span, kNoCost);
  best_left_.resize(span);
  best_right_.resize(span);
  offset_.resize(child.size());
  for (std::size_t j = 0; j < child.size(); ++j) offset_[j] = (scaled_[j] - scaled_[0]) / step;
  ForEachPair(acc, child, limit, [&](std::size_t i, std::size_t j, int64_t cost) {
    const int64_t k = (acc[i].sum - acc[0].sum) / step + offset_[j];
    if (cost < best_cost_[k]) {
      best_cost_[k] = cost;
      best_left_[k] = static_cast<int32_t>(i);
      best_right_[k] = static_cast<int32_t>(j);
    }
  });
  const int64_t base = acc[0].sum + scaled_[0];
  for (int64_t k = 0; k < span; ++k) {
    if (best_cost_[k] != kNoCost) {
      out.push_back({base + k * step, best_cost_[k], best_left_[k], best_right_[k]});
    }
  }
}

void TreeDp::CombineSparse(const Table& acc, const Table& child, int64_t limit, Table& out) {
  ForEachPair(acc, child, limit, [&](std::size_t i, std::size_t j, int64_t cost) {
    out.push_back(
        {acc[i].sum + scaled_[j], cost, static_cast<int32_t>(i), static_cast<int32_t>(j)});
  });
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.sum != b.sum ? a.sum < b.sum : a.cost < b.cost;
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Entry& a, const Entry& b) { return a.sum == b.sum; }),
            out.end());
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
    if (!Combine(acc, child.table, child.num, child.den, need, Minus(limit, rest),
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
  const Table& a = root.chains[0].steps.back();
  const Table& b = root.chains[1].steps.back();
  // For each entry of `a`, from the largest sum down, the entries of `b` that complete it
  // into the range form a window sliding up `b`: keep its cheapest in a monotone deque.
  std::deque<std::size_t> window;
  std::size_t next = 0;
  int64_t best = kNoCost;
  for (std::size_t i = a.size(); i-- > 0;) {
    const int64_t lo = root.range.lo - a[i].sum;
    const int64_t hi = root.range.hi == std::numeric_limits<int64_t>::max()
                           ? root.range.hi
                           : root.range.hi - a[i].sum;
    while (next < b.size() && b[next].sum <= hi) {
      while (!window.empty() && b[window.back()].cost >= b[next].cost) window.pop_back();
      window.push_back(next++);
    }
    while (!window.empty() && b[window.front()].sum < lo) window.pop_front();
    if (window.empty()) continue;
    const int64_t cost = a[i].cost + b[window.front()].cost;
    if (cost < best) {
      best = cost;
      root_pick_ = {static_cast<int32_t>(i), static_cast<int32_t>(window.front())};
    }
  }
  return best;
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
  if (!BuildTree() || !BuildWeights()) return result;
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
  result.work = work_;
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
  result.work = work_;
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
