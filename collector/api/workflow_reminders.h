#ifndef POSTURA_COLLECTOR_API_WORKFLOW_REMINDERS_H_
#define POSTURA_COLLECTOR_API_WORKFLOW_REMINDERS_H_

// Reminders of the evidence workflow's deadlines (docs/requests.md, "Expiry and
// renewal"): every request, approved answer and risk exception as a WorkflowDeadline
// (collector/alerting/alert_workflow.h), for the alert engine's workflow rules, and, for
// the event stream (GET /api/v1/events, http_api.h), "reminder" events to whoever may see
// them: an approved answer within `requests.renewal_notice` of expiry whose request has
// not been renewed, a request open past its due date, an exception within the notice of
// its end. Built by the composition root (collector/collector_server.cc).
//
// Threading: WorkflowDeadlines from any thread (the books are thread-safe); a
// ReminderFeed belongs to one stream and its worker thread.

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "collector/access/access_policy.h"
#include "collector/alerting/alert_workflow.h"
#include "collector/api/event_stream.h"
#include "collector/requests/exception_book.h"
#include "collector/requests/request_book.h"
#include "common/base/clock.h"

namespace postura::collector {

// Every request's due date, every approved answer's expiry, every exception's end.
std::vector<WorkflowDeadline> WorkflowDeadlines(const RequestBook& requests,
                                                const ExceptionBook& exceptions);

// Whether `principal` may see `deadline`: staff all, a supplier its own tenant's, a
// department officer its department's.
bool MaySeeDeadline(const Principal& principal, const WorkflowDeadline& deadline);

// The reminders of one event stream: on the first call every deadline near now, then
// each one that becomes near, once per stream ("reminder" events whose data is
// {"kind", "subject", "requestId", "exceptionId", "assetId", "outcomeId", "owner", "at",
// "summary"}). Looks again at most every `recheck` (real time).
class ReminderFeed {
 public:
  ReminderFeed(WorkflowSource source, Principal principal, Clock& clock, absl::Duration notice,
               absl::Duration recheck = absl::Seconds(5))
      : source_(std::move(source)),
        principal_(std::move(principal)),
        clock_(clock),
        notice_(notice),
        recheck_(recheck) {}

  // The next reminder, if one is waiting; never blocks.
  std::optional<SseEvent> Next();

 private:
  WorkflowSource source_;
  const Principal principal_;
  Clock& clock_;
  const absl::Duration notice_;
  const absl::Duration recheck_;
  absl::Time checked_ = absl::InfinitePast();  // Real time.
  absl::flat_hash_set<std::string> sent_;
  std::vector<SseEvent> waiting_;
};

// The reminder event of `deadline` seen at `now`.
SseEvent ReminderEvent(const WorkflowDeadline& deadline, absl::Time now);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_WORKFLOW_REMINDERS_H_
