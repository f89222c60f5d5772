#ifndef POSTURA_COLLECTOR_ALERTING_ALERT_WORKFLOW_H_
#define POSTURA_COLLECTOR_ALERTING_ALERT_WORKFLOW_H_

// The evidence workflow's alert kinds (docs/operators.md, "Alerts"): an evidence request
// open past its due date (evidence_request_overdue), an approved answer within its rule's
// lead_time of expiry whose request has not been renewed (evidence_renewal_due), a risk
// exception within its rule's lead_time of its end (exception_expiring). Alerting knows
// neither requests nor exceptions: the composition root hands the engine a
// WorkflowSource that lists their deadlines (collector/api/workflow_reminders.h), and the
// engine evaluates them on its thread every evaluate_every.
//
// An alert resolves when its subject is dealt with: the request completed or cancelled,
// the answer's request renewed, the exception revoked or past its end. Its facts carry no
// asset_id (the subject is a request or an exception): the asset, request and exception
// are in details ("assetId", "requestId", "exceptionId") with "at" (RFC 3339).
//
// Threading: pure functions.

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "collector/alerting/alert_config.h"
#include "collector/alerting/alert_tracker.h"

namespace postura::collector {

// One deadline of the evidence workflow.
struct WorkflowDeadline {
  AlertKind kind = AlertKind::kEvidenceRequestOverdue;  // One of the three workflow kinds.
  // "REQ-000001", "REQ-000001/ID_SC_ID_SC_2" (an answer) or "EXC-000001".
  std::string subject;
  std::string request_id;
  std::string exception_id;
  std::string asset_id;    // An exception's asset.
  std::string outcome_id;  // An answer's or exception's outcome.
  std::string owner;       // Who must act: "supplier acme", "department finance".
  // Who may see it besides staff: the owning supplier tenant or department.
  std::string supplier_id;
  std::string department_id;
  absl::Time at = absl::InfiniteFuture();  // Due date, answer's expiry, exception's end.
  // Still to be dealt with: the request open; the answer approved, its request not
  // renewed; the exception active.
  bool pending = false;
};

using WorkflowSource = std::function<std::vector<WorkflowDeadline>()>;

// Whether `deadline` calls for a reminder at `now`, `lead` ahead of its end (overdue
// requests: once past due, whatever `lead`).
bool DeadlineNear(const WorkflowDeadline& deadline, absl::Time now, absl::Duration lead);

// One line: "request REQ-000001 (supplier acme) is 3d past its due date 2027-...".
std::string DeadlineSummary(const WorkflowDeadline& deadline, absl::Time now);

// "<rule>/workflow/<subject>": stable across restarts.
std::string WorkflowAlertId(absl::string_view rule, absl::string_view subject);

// Observations of every workflow rule of `rules` at `now`: true for each deadline of its
// kind that is near, clear for every other alert the tracker knows of the rule.
std::vector<AlertObservation> EvaluateWorkflow(const std::vector<AlertRuleOptions>& rules,
                                               const std::vector<WorkflowDeadline>& deadlines,
                                               absl::Time now, const AlertTracker& tracker);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_ALERT_WORKFLOW_H_
