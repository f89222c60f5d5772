#include "common/crosswalk/implementation_tier.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace postura::crosswalk {

absl::string_view TierName(Tier tier) {
  switch (tier) {
    case Tier::kPartial:
      return "Partial";
    case Tier::kRiskInformed:
      return "Risk Informed";
    case Tier::kRepeatable:
      return "Repeatable";
    case Tier::kAdaptive:
      return "Adaptive";
  }
  return "";
}

namespace {

std::string Percent(double share) { return absl::StrFormat("%.0f%%", 100 * share); }

// Records one condition and whether it held.
bool Check(TierDecision& decision, bool holds, std::string fact) {
  decision.facts.push_back(absl::StrCat(fact, ": ", holds ? "yes" : "no"));
  return holds;
}

bool RiskInformed(const TierFacts& f, TierDecision& d) {
  const double coverage = f.applicable == 0 ? 0 : static_cast<double>(f.live) / f.applicable;
  // Unevaluated pairs count 0, as in CyberTOMP values.
  const double level =
      f.applicable == 0 ? 0 : f.level_hundredths / 100.0 / static_cast<double>(f.applicable);
  const double targeted = f.assets == 0 ? 0 : static_cast<double>(f.assets_with_targets) / f.assets;
  bool ok = Check(d, coverage >= kRiskInformedCoverage,
                  absl::StrCat("evidence coverage ", Percent(coverage), " (", f.live, " of ",
                               f.applicable, ") >= ", Percent(kRiskInformedCoverage)));
  ok = Check(d, level >= kRiskInformedLevel,
             absl::StrFormat("mean level %.2f >= %.2f", level, kRiskInformedLevel)) &&
       ok;
  ok = Check(d, targeted >= kTargetedAssetsShare,
             absl::StrCat("assets with targets ", f.assets_with_targets, " of ", f.assets,
                          " >= ", Percent(kTargetedAssetsShare))) &&
       ok;
  return ok;
}

bool Repeatable(const TierFacts& f, TierDecision& d) {
  const double coverage = f.applicable == 0 ? 0 : static_cast<double>(f.live) / f.applicable;
  const int reported = f.live + f.stale;
  const double stale = reported == 0 ? 0 : static_cast<double>(f.stale) / reported;
  bool ok = Check(
      d, coverage >= kRepeatableCoverage,
      absl::StrCat("evidence coverage ", Percent(coverage), " >= ", Percent(kRepeatableCoverage)));
  ok = Check(d, stale <= kMaxStaleShare,
             absl::StrCat("evidence renewed on time: stale ", f.stale, " of ", reported,
                          " reported (", Percent(stale), ") <= ", Percent(kMaxStaleShare))) &&
       ok;
  return ok;
}

bool Adaptive(const TierFacts& f, TierDecision& d) {
  if (!f.gaps_closed || !f.p90_days || !f.oldest_open_days) {
    return Check(d, false, "gaps closed on time: no remediation history");
  }
  bool ok =
      Check(d,
            *f.gaps_closed > 0 && *f.p90_days <= kMaxRemediationDays &&
                *f.oldest_open_days <= kMaxRemediationDays,
            absl::StrFormat("gaps closed on time: %d closed, p90 %.1f d and oldest open "
                            "%.1f d <= %.0f d",
                            *f.gaps_closed, *f.p90_days, *f.oldest_open_days, kMaxRemediationDays));
  if (!f.index_then || !f.index_now) {
    return Check(d, false, "non-falling trend: no history that far back") && ok;
  }
  ok = Check(d, *f.index_now >= *f.index_then,
             absl::StrFormat("non-falling trend: index %.2f now >= %.2f then", *f.index_now,
                             *f.index_then)) &&
       ok;
  return ok;
}

}  // namespace

TierDecision DecideTier(const TierFacts& facts) {
  TierDecision decision;
  if (!RiskInformed(facts, decision)) return decision;
  decision.tier = Tier::kRiskInformed;
  if (!Repeatable(facts, decision)) return decision;
  decision.tier = Tier::kRepeatable;
  if (!Adaptive(facts, decision)) return decision;
  decision.tier = Tier::kAdaptive;
  return decision;
}

}  // namespace postura::crosswalk
