#include "cli/accepted_risk.h"

#include "absl/strings/str_cat.h"
#include "cli/markdown_table.h"
#include "cli/time_text.h"

namespace postura::cli {

absl::StatusOr<std::vector<v1::RiskException>> ReadActiveExceptions(CommandContext& c) {
  absl::StatusOr<v1::ListRiskExceptionsResponse> list =
      c.collector.Call(c.collector.exceptions(), &v1::RiskExceptions::Stub::ListExceptions,
                       v1::ListRiskExceptionsRequest());
  if (!list.ok() && list.status().code() == absl::StatusCode::kPermissionDenied) {
    return std::vector<v1::RiskException>();
  }
  if (!list.ok()) return list.status();
  std::vector<v1::RiskException> active;
  for (const v1::RiskException& exception : list->exceptions()) {
    if (exception.status() == v1::RISK_EXCEPTION_ACTIVE) active.push_back(exception);
  }
  return active;
}

std::vector<AcceptedGap> AcceptedGaps(const std::vector<v1::Gaps>& gaps,
                                      const std::vector<v1::RiskException>& exceptions) {
  std::vector<AcceptedGap> accepted;
  for (const v1::Gaps& asset : gaps) {
    for (const v1::FunctionalAreaGaps& area : asset.areas()) {
      for (const v1::Gap& gap : area.gaps()) {
        for (const v1::RiskException& exception : exceptions) {
          if (exception.asset_id() == asset.asset_id() &&
              exception.outcome_id() == gap.outcome_id()) {
            accepted.push_back({&gap, &exception, asset.asset_id()});
            break;
          }
        }
      }
    }
  }
  return accepted;
}

std::string AcceptedRiskMarkdown(const std::vector<v1::Gaps>& gaps,
                                 const std::vector<v1::RiskException>& exceptions) {
  const std::vector<AcceptedGap> accepted = AcceptedGaps(gaps, exceptions);
  std::string text = absl::StrCat(
      "## Gaps with an accepted risk\n\n", accepted.size(), " gaps with an accepted risk (",
      exceptions.size(),
      " active risk exceptions). An exception raises no level and no score: these gaps "
      "count above as any other.\n\n");
  if (accepted.empty()) return text;
  text += MarkdownHeader({"asset", "outcome", "level", "exception", "until", "reason"});
  for (const AcceptedGap& one : accepted) {
    text += MarkdownRow({one.asset_id, one.gap->outcome_id(), v1::Level_Name(one.gap->level()),
                         one.exception->id(),
                         UnixNanosText(one.exception->until_unix_seconds() * 1'000'000'000),
                         one.exception->reason()});
  }
  return text + "\n";
}

nlohmann::ordered_json AcceptedRiskJson(const std::vector<v1::Gaps>& gaps,
                                        const std::vector<v1::RiskException>& exceptions) {
  const std::vector<AcceptedGap> accepted = AcceptedGaps(gaps, exceptions);
  nlohmann::ordered_json json;
  json["activeExceptions"] = exceptions.size();
  json["gapsWithAcceptedRisk"] = accepted.size();
  json["gaps"] = nlohmann::ordered_json::array();
  for (const AcceptedGap& one : accepted) {
    json["gaps"].push_back(
        {{"assetId", one.asset_id},
         {"outcomeId", one.gap->outcome_id()},
         {"level", v1::Level_Name(one.gap->level())},
         {"exceptionId", one.exception->id()},
         {"until", UnixNanosText(one.exception->until_unix_seconds() * 1'000'000'000)}});
  }
  return json;
}

}  // namespace postura::cli
