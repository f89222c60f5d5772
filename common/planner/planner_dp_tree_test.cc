#include "common/planner/planner_dp_tree.h"

#include <optional>
#include <vector>

#include "common/model/catalog.h"
#include "gtest/gtest.h"

namespace postura::planner_internal {
namespace {

// Every level allowed, no range: ranges are set by the tests.
DpProblem OpenProblem(const ScoringModel& model) {
  DpProblem problem;
  problem.model = &model;
  problem.current.assign(model.outcome_count(), Level::kDli0);
  problem.allowed.assign(model.outcome_count(), 15);
  problem.effort.assign(model.outcome_count(), 1);
  problem.category_range.resize(model.category_count());
  problem.function_range.resize(model.function_count());
  return problem;
}

TEST(PlannerDpTreeTest, TheBuiltinCatalogIsATreeOfEveryApplicableOutcome) {
  for (ImplementationGroup group : kAllImplementationGroups) {
    SCOPED_TRACE(ImplementationGroupName(group));
    const ScoringModel& model = Catalog::Builtin().model(group);
    DpProblem problem = OpenProblem(model);
    problem.asset_range = SumRange{1, model.asset_scale()};
    const std::optional<ScopeTree> tree = BuildScopeTree(problem);
    ASSERT_TRUE(tree.has_value());
    EXPECT_EQ(tree->leaves.size(), model.applicable_outcomes().size());
    const Node& root = tree->nodes[tree->root];
    EXPECT_EQ(root.children.size(), model.applicable_functions().size());
    EXPECT_TRUE(root.has_lo);
    EXPECT_FALSE(root.has_hi);
    for (const Node& node : tree->nodes) {
      for (int c : node.children) EXPECT_GT(c, &node - tree->nodes.data());  // Preorder.
      if (&node == &root) continue;
      // The asset's lower bound is all that is needed, of every node below it.
      EXPECT_TRUE(node.need.large);
      EXPECT_FALSE(node.need.small);
    }
    // A category's sum enters its function's through the ratio of their units.
    for (int fn : root.children) {
      for (int cn : tree->nodes[fn].children) {
        const Node& category = tree->nodes[cn];
        for (int leaf : category.children) {
          const ScoringModel::OutcomeUnits& units = model.units(tree->nodes[leaf].outcome);
          EXPECT_EQ(units.function * category.den, units.category * category.num);
        }
      }
    }
  }
}

TEST(PlannerDpTreeTest, ACategoryRangeBoundsItsNodeAndIsNeededOnlyBelowIt) {
  const ScoringModel& model = Catalog::Builtin().model(ImplementationGroup::kIG1);
  DpProblem problem = OpenProblem(model);
  const int category = model.applicable_categories()[0];
  problem.category_range[category] = SumRange{1, model.category_scale(category) - 1};
  const std::optional<ScopeTree> tree = BuildScopeTree(problem);
  ASSERT_TRUE(tree.has_value());
  int bounded = 0;
  for (const Node& node : tree->nodes) {
    if (node.outcome >= 0 || node.children.empty()) continue;
    const Node& first = tree->nodes[node.children[0]];
    if (first.outcome < 0 || model.category_of(first.outcome) != category) continue;
    ++bounded;
    EXPECT_TRUE(node.has_lo && node.has_hi);
    EXPECT_FALSE(node.need.any());
    for (int leaf : node.children) {
      EXPECT_TRUE(tree->nodes[leaf].need.large && tree->nodes[leaf].need.small);
    }
  }
  EXPECT_EQ(bounded, 1);
  EXPECT_FALSE(tree->nodes[tree->root].child_need.any());
}

}  // namespace
}  // namespace postura::planner_internal
