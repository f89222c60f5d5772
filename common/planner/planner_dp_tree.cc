#include "common/planner/planner_dp_tree.h"

#include <numeric>
#include <utility>

#include "common/model/scoring_model.h"

namespace postura::planner_internal {
namespace {

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

}  // namespace

std::optional<ScopeTree> BuildScopeTree(const DpProblem& problem) {
  const ScoringModel& model = *problem.model;
  ScopeTree tree;
  std::vector<Node>& nodes = tree.nodes;
  auto add_node = [&nodes] {
    nodes.emplace_back();
    return static_cast<int>(nodes.size()) - 1;
  };
  tree.root = add_node();
  SetRange(nodes[tree.root], problem.asset_range, model.asset_scale());
  int covered = 0;
  for (int f : model.applicable_functions()) {
    const int fn = add_node();
    nodes[tree.root].children.push_back(fn);
    SetRange(nodes[fn], problem.function_range[f], model.function_scale(f));
    std::vector<std::pair<int64_t, int64_t>> asset_per_function;
    for (int c : model.categories_of(f)) {
      const int cn = add_node();
      nodes[fn].children.push_back(cn);
      SetRange(nodes[cn], problem.category_range[c], model.category_scale(c));
      std::vector<std::pair<int64_t, int64_t>> function_per_category;
      for (int o : model.outcomes_of(c)) {
        const ScoringModel::OutcomeUnits& units = model.units(o);
        if (model.function_of(o) != f) return std::nullopt;
        const int on = add_node();
        nodes[cn].children.push_back(on);
        nodes[on].outcome = o;
        tree.leaves.push_back(on);
        function_per_category.emplace_back(units.function, units.category);
        asset_per_function.emplace_back(units.asset, units.function);
        ++covered;
      }
      if (!RatioOf(function_per_category, nodes[cn].num, nodes[cn].den)) return std::nullopt;
    }
    if (!RatioOf(asset_per_function, nodes[fn].num, nodes[fn].den)) return std::nullopt;
  }
  // An applicable outcome outside the tree: leave such catalogs to the integer program.
  if (covered != static_cast<int>(model.applicable_outcomes().size())) return std::nullopt;
  // Needs flow down: preorder, since children have higher ids.
  for (Node& node : nodes) {
    node.child_need = {node.need.large || node.has_lo, node.need.small || node.has_hi};
    for (int c : node.children) nodes[c].need = node.child_need;
  }
  return tree;
}

}  // namespace postura::planner_internal
