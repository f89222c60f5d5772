#ifndef POSTURA_COMMON_MODEL_FRACTION_H_
#define POSTURA_COMMON_MODEL_FRACTION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace postura {

// An exact non-negative rational number, always in lowest terms with denominator > 0.
// Catalog weights are fractions so that "weights sum to 1" is checked exactly, and so that
// scores can be accumulated in integers (see ScoringModel).
class Fraction {
 public:
  // Zero.
  Fraction() = default;

  // Parses "N" or "N/D" with decimal non-negative integers and D > 0, for example "3/40".
  // InvalidArgument, naming the text, for anything else or for numbers above 10^9.
  static absl::StatusOr<Fraction> Parse(absl::string_view text);

  // REQUIRES: numerator >= 0, denominator > 0, both at most 10^9.
  static Fraction Of(int64_t numerator, int64_t denominator);

  int64_t numerator() const { return numerator_; }
  int64_t denominator() const { return denominator_; }
  bool is_zero() const { return numerator_ == 0; }
  double ToDouble() const { return static_cast<double>(numerator_) / denominator_; }
  std::string ToString() const;  // "3/40", "1", "0".

  // Exact sum and product. OutOfRange if a result does not fit in 64 bits.
  static absl::StatusOr<Fraction> Add(Fraction a, Fraction b);
  static absl::StatusOr<Fraction> Multiply(Fraction a, Fraction b);

  friend bool operator==(Fraction a, Fraction b) {
    return a.numerator_ == b.numerator_ && a.denominator_ == b.denominator_;
  }

 private:
  Fraction(int64_t numerator, int64_t denominator)
      : numerator_(numerator), denominator_(denominator) {}
  // Builds the reduced fraction, or OutOfRange if numerator * denominator overflowed.
  static absl::StatusOr<Fraction> Reduced(__int128 numerator, __int128 denominator);

  int64_t numerator_ = 0;
  int64_t denominator_ = 1;
};

// The least common multiple of a and b, or OutOfRange when it exceeds `limit`.
// REQUIRES: a > 0, b > 0.
absl::StatusOr<int64_t> LeastCommonMultiple(int64_t a, int64_t b, int64_t limit);

}  // namespace postura

#endif  // POSTURA_COMMON_MODEL_FRACTION_H_
