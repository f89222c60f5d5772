#ifndef POSTURA_COMMON_MODEL_SCORING_MODEL_H_
#define POSTURA_COMMON_MODEL_SCORING_MODEL_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/model/implementation_group.h"

namespace postura {

class Catalog;

// What scoring an asset of one implementation group needs from a catalog, precomputed:
// which outcomes, categories and functions apply, their weights as doubles (for the
// reference formula of METRICS.md section 3) and integer units for exact accumulation.
//
// The exact form. Every weight set of a valid catalog sums to exactly 1, so the min()
// caps of section 3 never bind (C <= 1 and F <= 1 in exact arithmetic) and every value is
// linear in the levels: C(c) = sum w_o d_o, F(f) = sum w_c w_o d_o, A = sum w_f w_c w_o d_o.
// Scaling each sum by the common denominator D of its terms and writing d_o in hundredths
// h_o (0, 33, 67, 100) makes every term an integer:
//   value = (sum over o of units_o * h_o) / scale,  with units_o = D * weight_o and
//   scale = 100 * D.
// Integer sums do not depend on the order of updates, so an incrementally maintained
// score equals a recomputation bit for bit, and the double reported is the exact value
// correctly rounded.
//
// Immutable; safe to share between threads. Indices are the catalog's.
class ScoringModel {
 public:
  // Units an outcome contributes, per hundredth of level, to its category, its function
  // and the asset sums.
  struct OutcomeUnits {
    int32_t category = 0;
    int32_t function = 0;
    int32_t asset = 0;
  };

  // Derives the model of `group` from a catalog whose weight sets are already validated.
  // OutOfRange if a common denominator is so large that a scaled sum could overflow 32 bits.
  static absl::StatusOr<ScoringModel> Build(const Catalog& catalog, ImplementationGroup group);

  ImplementationGroup group() const { return group_; }

  // Sizes of the catalog (all items, applicable or not).
  int outcome_count() const { return static_cast<int>(outcome_category_.size()); }
  int category_count() const { return static_cast<int>(category_function_.size()); }
  int function_count() const { return static_cast<int>(function_weight_.size()); }

  // The applicable items, in catalog order.
  const std::vector<int>& applicable_outcomes() const { return applicable_outcomes_; }
  const std::vector<int>& applicable_categories() const { return applicable_categories_; }
  const std::vector<int>& applicable_functions() const { return applicable_functions_; }
  // The applicable outcomes of one category / categories of one function.
  const std::vector<int>& outcomes_of(int category) const { return category_outcomes_[category]; }
  const std::vector<int>& categories_of(int function) const {
    return function_categories_[function];
  }

  bool OutcomeApplies(int outcome) const { return outcome_weight_[outcome] > 0; }
  bool CategoryApplies(int category) const { return category_weight_[category] > 0; }
  bool FunctionApplies(int function) const { return function_weight_[function] > 0; }

  // Weights for this group; 0 where the item does not apply.
  double outcome_weight(int outcome) const { return outcome_weight_[outcome]; }
  double category_weight(int category) const { return category_weight_[category]; }
  double function_weight(int function) const { return function_weight_[function]; }

  int category_of(int outcome) const { return outcome_category_[outcome]; }
  int function_of(int outcome) const { return outcome_function_[outcome]; }
  int function_of_category(int category) const { return category_function_[category]; }

  const OutcomeUnits& units(int outcome) const { return outcome_units_[outcome]; }
  int32_t category_scale(int category) const { return category_scale_[category]; }
  int32_t function_scale(int function) const { return function_scale_[function]; }
  int32_t asset_scale() const { return asset_scale_; }

 private:
  ScoringModel() = default;

  ImplementationGroup group_ = ImplementationGroup::kIG1;
  std::vector<int> applicable_outcomes_, applicable_categories_, applicable_functions_;
  std::vector<std::vector<int>> category_outcomes_, function_categories_;
  std::vector<int> outcome_category_, outcome_function_, category_function_;
  std::vector<double> outcome_weight_, category_weight_, function_weight_;
  std::vector<OutcomeUnits> outcome_units_;
  std::vector<int32_t> category_scale_, function_scale_;
  int32_t asset_scale_ = 1;
};

}  // namespace postura

#endif  // POSTURA_COMMON_MODEL_SCORING_MODEL_H_
