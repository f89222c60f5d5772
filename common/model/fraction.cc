#include "common/model/fraction.h"

#include <numeric>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"

namespace postura {
namespace {

constexpr int64_t kMaxParsedTerm = 1'000'000'000;

__int128 GreatestCommonDivisor(__int128 a, __int128 b) {
  while (b != 0) {
    __int128 rest = a % b;
    a = b;
    b = rest;
  }
  return a;
}

bool ParseTerm(absl::string_view text, int64_t& term) {
  // SimpleAtoi accepts a sign and surrounding blanks; a weight is plain digits.
  if (text.empty() || text.find_first_not_of("0123456789") != absl::string_view::npos) {
    return false;
  }
  return absl::SimpleAtoi(text, &term) && term <= kMaxParsedTerm;
}

}  // namespace

absl::StatusOr<Fraction> Fraction::Parse(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  int64_t numerator = 0;
  int64_t denominator = 1;
  bool ok = parts.size() <= 2 && ParseTerm(parts[0], numerator) &&
            (parts.size() == 1 || ParseTerm(parts[1], denominator));
  if (!ok || denominator == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a fraction (expected N or N/D with 0 <= N and 0 < D <= 10^9)"));
  }
  return Of(numerator, denominator);
}

Fraction Fraction::Of(int64_t numerator, int64_t denominator) {
  CHECK_GE(numerator, 0);
  CHECK_GT(denominator, 0);
  CHECK_LE(numerator, kMaxParsedTerm);
  CHECK_LE(denominator, kMaxParsedTerm);
  return *Reduced(numerator, denominator);
}

std::string Fraction::ToString() const {
  if (denominator_ == 1) return absl::StrCat(numerator_);
  return absl::StrCat(numerator_, "/", denominator_);
}

absl::StatusOr<Fraction> Fraction::Add(Fraction a, Fraction b) {
  __int128 numerator = static_cast<__int128>(a.numerator_) * b.denominator_ +
                       static_cast<__int128>(b.numerator_) * a.denominator_;
  return Reduced(numerator, static_cast<__int128>(a.denominator_) * b.denominator_);
}

absl::StatusOr<Fraction> Fraction::Multiply(Fraction a, Fraction b) {
  return Reduced(static_cast<__int128>(a.numerator_) * b.numerator_,
                 static_cast<__int128>(a.denominator_) * b.denominator_);
}

absl::StatusOr<Fraction> Fraction::Reduced(__int128 numerator, __int128 denominator) {
  __int128 divisor = GreatestCommonDivisor(numerator, denominator);
  numerator /= divisor;
  denominator /= divisor;
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max();
  if (numerator > kMax || denominator > kMax) {
    return absl::OutOfRangeError("fraction arithmetic overflowed 64 bits");
  }
  return Fraction(static_cast<int64_t>(numerator), static_cast<int64_t>(denominator));
}

absl::StatusOr<int64_t> LeastCommonMultiple(int64_t a, int64_t b, int64_t limit) {
  __int128 multiple = static_cast<__int128>(a / std::gcd(a, b)) * b;
  if (multiple > limit) {
    return absl::OutOfRangeError(absl::StrCat("common denominator exceeds ", limit));
  }
  return static_cast<int64_t>(multiple);
}

}  // namespace postura
