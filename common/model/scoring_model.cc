#include "common/model/scoring_model.h"

#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/model/catalog.h"
#include "common/model/fraction.h"

namespace postura {
namespace {

// 100 * D must fit in a positive int32 so that a sum of units * hundredths cannot overflow.
constexpr int64_t kMaxDenominator = std::numeric_limits<int32_t>::max() / 100;

// The weight of one outcome's term in its category, function and asset sums.
struct OutcomeTerms {
  Fraction category, function, asset;
};

absl::StatusOr<OutcomeTerms> TermsOf(const Catalog& catalog, int outcome, int group) {
  const CatalogOutcome& o = catalog.outcomes()[outcome];
  const CatalogCategory& c = catalog.categories()[o.category];
  const CatalogFunction& f = catalog.functions()[o.function];
  OutcomeTerms terms;
  terms.category = o.weights[group];
  absl::StatusOr<Fraction> function = Fraction::Multiply(c.weights[group], terms.category);
  if (!function.ok()) return function.status();
  terms.function = *function;
  absl::StatusOr<Fraction> asset = Fraction::Multiply(f.weights[group], terms.function);
  if (!asset.ok()) return asset.status();
  terms.asset = *asset;
  return terms;
}

// Folds `term`'s denominator into the running common denominator `denominator`.
absl::Status Accumulate(Fraction term, int64_t& denominator, absl::string_view what) {
  absl::StatusOr<int64_t> multiple =
      LeastCommonMultiple(denominator, term.denominator(), kMaxDenominator);
  if (!multiple.ok()) {
    return absl::OutOfRangeError(absl::StrCat("weights of ", what, ": ",
                                              multiple.status().message(),
                                              "; use fractions with smaller denominators"));
  }
  denominator = *multiple;
  return absl::OkStatus();
}

// Units of `term` in a sum with common denominator `denominator`: term * denominator.
int32_t UnitsOf(Fraction term, int64_t denominator) {
  return static_cast<int32_t>(term.numerator() * (denominator / term.denominator()));
}

}  // namespace

absl::StatusOr<ScoringModel> ScoringModel::Build(const Catalog& catalog,
                                                 ImplementationGroup group) {
  const int g = IndexOf(group);
  const int n_outcomes = static_cast<int>(catalog.outcomes().size());
  const int n_categories = static_cast<int>(catalog.categories().size());
  const int n_functions = static_cast<int>(catalog.functions().size());

  ScoringModel model;
  model.group_ = group;
  model.category_outcomes_.resize(n_categories);
  model.function_categories_.resize(n_functions);
  for (const CatalogFunction& f : catalog.functions()) {
    model.function_weight_.push_back(f.weights[g].ToDouble());
  }
  for (const CatalogCategory& c : catalog.categories()) {
    model.category_function_.push_back(c.function);
    model.category_weight_.push_back(c.weights[g].ToDouble());
  }

  std::vector<OutcomeTerms> terms(n_outcomes);
  std::vector<int64_t> category_denominator(n_categories, 1);
  std::vector<int64_t> function_denominator(n_functions, 1);
  int64_t asset_denominator = 1;
  for (int o = 0; o < n_outcomes; ++o) {
    const CatalogOutcome& outcome = catalog.outcomes()[o];
    model.outcome_category_.push_back(outcome.category);
    model.outcome_function_.push_back(outcome.function);
    model.outcome_weight_.push_back(outcome.weights[g].ToDouble());
    if (outcome.weights[g].is_zero()) continue;
    model.applicable_outcomes_.push_back(o);
    model.category_outcomes_[outcome.category].push_back(o);
    absl::StatusOr<OutcomeTerms> t = TermsOf(catalog, o, g);
    if (!t.ok()) return t.status();
    terms[o] = *t;
    const std::string& c_id = catalog.categories()[outcome.category].id;
    const std::string& f_id = catalog.functions()[outcome.function].id;
    for (absl::Status s : {Accumulate(t->category, category_denominator[outcome.category], c_id),
                           Accumulate(t->function, function_denominator[outcome.function], f_id),
                           Accumulate(t->asset, asset_denominator, "the asset")}) {
      if (!s.ok()) return s;
    }
  }
  for (int c = 0; c < n_categories; ++c) {
    if (!model.CategoryApplies(c)) continue;
    model.applicable_categories_.push_back(c);
    model.function_categories_[catalog.categories()[c].function].push_back(c);
  }
  for (int f = 0; f < n_functions; ++f) {
    if (model.FunctionApplies(f)) model.applicable_functions_.push_back(f);
  }

  model.outcome_units_.resize(n_outcomes);
  for (int o : model.applicable_outcomes_) {
    model.outcome_units_[o] = {
        UnitsOf(terms[o].category, category_denominator[model.outcome_category_[o]]),
        UnitsOf(terms[o].function, function_denominator[model.outcome_function_[o]]),
        UnitsOf(terms[o].asset, asset_denominator)};
  }
  for (int64_t d : category_denominator) model.category_scale_.push_back(100 * d);
  for (int64_t d : function_denominator) model.function_scale_.push_back(100 * d);
  model.asset_scale_ = static_cast<int32_t>(100 * asset_denominator);
  return model;
}

}  // namespace postura
