#include "collector/api/workflow_reminders.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace postura::collector {
namespace {

std::string OwnerText(const v1::EvidenceRequest& request) {
  return absl::StrCat(request.owner_kind() == v1::OWNER_SUPPLIER ? "supplier " : "department ",
                      request.owner_id());
}

// The request's deadline fields shared by its own and its answers' deadlines.
WorkflowDeadline OfRequest(const v1::EvidenceRequest& request, AlertKind kind) {
  WorkflowDeadline deadline;
  deadline.kind = kind;
  deadline.request_id = request.id();
  deadline.owner = OwnerText(request);
  if (request.owner_kind() == v1::OWNER_SUPPLIER) {
    deadline.supplier_id = request.owner_tenant_id();
  } else {
    deadline.department_id = request.owner_id();
  }
  return deadline;
}

absl::string_view KindText(AlertKind kind) {
  switch (kind) {
    case AlertKind::kEvidenceRequestOverdue:
      return "request_overdue";
    case AlertKind::kEvidenceRenewalDue:
      return "renewal_due";
    case AlertKind::kExceptionExpiring:
      return "exception_expiring";
    default:
      return "other";
  }
}

}  // namespace

std::vector<WorkflowDeadline> WorkflowDeadlines(const RequestBook& requests,
                                                const ExceptionBook& exceptions) {
  std::vector<WorkflowDeadline> deadlines;
  for (const v1::EvidenceRequest& request : requests.AllRequests()) {
    WorkflowDeadline& due =
        deadlines.emplace_back(OfRequest(request, AlertKind::kEvidenceRequestOverdue));
    due.subject = request.id();
    due.at = absl::FromUnixSeconds(request.due_unix_seconds());
    due.pending = request.status() == v1::REQUEST_OPEN;
    for (const v1::OutcomeAnswer& outcome : request.outcomes()) {
      if (outcome.status() != v1::ANSWER_APPROVED) continue;
      WorkflowDeadline& renewal =
          deadlines.emplace_back(OfRequest(request, AlertKind::kEvidenceRenewalDue));
      renewal.subject = absl::StrCat(request.id(), "/", outcome.outcome_id());
      renewal.outcome_id = outcome.outcome_id();
      renewal.at = absl::FromUnixNanos(outcome.review().expires_unix_nanos());
      renewal.pending =
          request.renewed_by_request_id().empty() && request.status() != v1::REQUEST_CANCELLED;
    }
  }
  for (const v1::RiskException& exception : exceptions.All()) {
    WorkflowDeadline& end = deadlines.emplace_back();
    end.kind = AlertKind::kExceptionExpiring;
    end.subject = exception.id();
    end.exception_id = exception.id();
    end.asset_id = exception.asset_id();
    end.outcome_id = exception.outcome_id();
    end.supplier_id = exception.supplier_id();
    end.department_id = exception.department_id();
    end.at = absl::FromUnixSeconds(exception.until_unix_seconds());
    end.pending = exception.status() == v1::RISK_EXCEPTION_ACTIVE;
  }
  return deadlines;
}

bool MaySeeDeadline(const Principal& principal, const WorkflowDeadline& deadline) {
  if (principal.role == v1::ROLE_ADMIN || principal.role == v1::ROLE_OPERATOR ||
      principal.role == v1::ROLE_AUDITOR) {
    return true;
  }
  if (principal.role == v1::ROLE_SUPPLIER) {
    return !deadline.supplier_id.empty() && deadline.supplier_id == principal.tenant_id;
  }
  if (principal.role == v1::ROLE_DEPARTMENT) {
    return !deadline.department_id.empty() && deadline.department_id == principal.department_id;
  }
  return false;
}

SseEvent ReminderEvent(const WorkflowDeadline& deadline, absl::Time now) {
  nlohmann::ordered_json data;
  data["kind"] = KindText(deadline.kind);
  data["subject"] = deadline.subject;
  data["requestId"] = deadline.request_id;
  data["exceptionId"] = deadline.exception_id;
  data["assetId"] = deadline.asset_id;
  data["outcomeId"] = deadline.outcome_id;
  data["owner"] = deadline.owner;
  data["at"] = absl::FormatTime(absl::RFC3339_sec, deadline.at, absl::UTCTimeZone());
  data["summary"] = DeadlineSummary(deadline, now);
  SseEvent event;
  event.event = "reminder";
  event.data = data.dump();
  return event;
}

std::optional<SseEvent> ReminderFeed::Next() {
  const absl::Time real_now = absl::Now();
  if (waiting_.empty() && source_ && real_now - checked_ >= recheck_) {
    checked_ = real_now;
    const absl::Time now = clock_.TimeNow();
    for (const WorkflowDeadline& deadline : source_()) {
      if (!DeadlineNear(deadline, now, notice_) || !MaySeeDeadline(principal_, deadline)) continue;
      if (!sent_.insert(absl::StrCat(KindText(deadline.kind), "/", deadline.subject)).second) {
        continue;
      }
      waiting_.push_back(ReminderEvent(deadline, now));
    }
    std::reverse(waiting_.begin(), waiting_.end());  // Taken from the back: oldest first.
  }
  if (waiting_.empty()) return std::nullopt;
  SseEvent event = std::move(waiting_.back());
  waiting_.pop_back();
  return event;
}

}  // namespace postura::collector
