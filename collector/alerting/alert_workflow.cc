#include "collector/alerting/alert_workflow.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace postura::collector {
namespace {

std::string TimeText(absl::Time at) {
  return absl::FormatTime(absl::RFC3339_sec, at, absl::UTCTimeZone());
}

std::string DaysText(absl::Duration span) {
  return absl::FormatDuration(absl::Trunc(absl::AbsDuration(span), absl::Minutes(1)));
}

}  // namespace

bool DeadlineNear(const WorkflowDeadline& deadline, absl::Time now, absl::Duration lead) {
  if (!deadline.pending) return false;
  if (deadline.kind == AlertKind::kEvidenceRequestOverdue) return now > deadline.at;
  return now >= deadline.at - lead;
}

std::string DeadlineSummary(const WorkflowDeadline& deadline, absl::Time now) {
  const std::string when = deadline.at > now ? absl::StrCat("in ", DaysText(deadline.at - now))
                                             : absl::StrCat(DaysText(now - deadline.at), " ago");
  switch (deadline.kind) {
    case AlertKind::kEvidenceRequestOverdue:
      return absl::StrCat("evidence request ", deadline.request_id, " (", deadline.owner,
                          ") is open past its due date ", TimeText(deadline.at), ", ", when);
    case AlertKind::kEvidenceRenewalDue:
      return absl::StrCat("the approved answer to ", deadline.outcome_id, " in ",
                          deadline.request_id, " (", deadline.owner, ") expires ",
                          TimeText(deadline.at), ", ", when, "; renew the request");
    case AlertKind::kExceptionExpiring:
      return absl::StrCat("risk exception ", deadline.exception_id, " (outcome ",
                          deadline.outcome_id, " on asset ", deadline.asset_id, ") ends ",
                          TimeText(deadline.at), ", ", when);
    default:
      return deadline.subject;
  }
}

std::string WorkflowAlertId(absl::string_view rule, absl::string_view subject) {
  return absl::StrCat(rule, "/workflow/", subject);
}

std::vector<AlertObservation> EvaluateWorkflow(const std::vector<AlertRuleOptions>& rules,
                                               const std::vector<WorkflowDeadline>& deadlines,
                                               absl::Time now, const AlertTracker& tracker) {
  std::vector<AlertObservation> observations;
  for (int rule = 0; rule < static_cast<int>(rules.size()); ++rule) {
    const AlertRuleOptions& options = rules[rule];
    absl::flat_hash_set<std::string> seen;
    for (const WorkflowDeadline& deadline : deadlines) {
      if (deadline.kind != options.kind) continue;
      if (!DeadlineNear(deadline, now, options.lead_time)) continue;
      v1::AlertTransition& facts = AppendHolding(observations, rule, options,
                                                 WorkflowAlertId(options.name, deadline.subject));
      seen.insert(facts.id());
      facts.set_outcome_id(deadline.outcome_id);
      facts.set_department_id(deadline.department_id);
      facts.set_supplier_id(deadline.supplier_id);
      facts.set_summary(DeadlineSummary(deadline, now));
      auto& details = *facts.mutable_details();
      details["at"] = TimeText(deadline.at);
      if (!deadline.request_id.empty()) details["requestId"] = deadline.request_id;
      if (!deadline.exception_id.empty()) details["exceptionId"] = deadline.exception_id;
      if (!deadline.asset_id.empty()) details["assetId"] = deadline.asset_id;
      if (!deadline.owner.empty()) details["owner"] = deadline.owner;
    }
    if (!IsWorkflowKind(options.kind)) continue;
    AppendClearedExcept(observations, rule, seen, tracker);  // Dealt with, or gone.
  }
  return observations;
}

}  // namespace postura::collector
