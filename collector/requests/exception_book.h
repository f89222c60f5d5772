#ifndef POSTURA_COLLECTOR_REQUESTS_EXCEPTION_BOOK_H_
#define POSTURA_COLLECTOR_REQUESTS_EXCEPTION_BOOK_H_

// Risk exceptions (docs/requests.md, "Risk exceptions"; exceptions.proto): an admin
// accepts the risk of one outcome on one asset, with a reason and an end date, and may
// revoke it early. An exception changes no level and no score; live scoring never sees it.
// Each step is an event appended to the store's "requests" family under
// "exception/<id>/<sequence, 8 bytes big-endian>", with its entry in the evidence
// requests' audit trail ("exception.create", "exception.revoke") in the same write
// (RequestBook::WriteWithAudit); an exception's state is the fold of its events.
//
// Built by the composition root after the request book; read by the RiskExceptions
// service and its HTTPS routes (collector/api/exceptions_service.h), the reminders and
// the alert engine's exception_expiring rule. Roles are the gatekeeper's, checked by the
// service first; the book checks tenants and the workflow's rules. Thread-safe: one mutex
// orders every change and its write. Everything borrowed must outlive the book.

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/registry/registry.h"
#include "collector/requests/request_book.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"
#include "postura/v1/exceptions.pb.h"

namespace postura::collector {

// An exception ends at most this long after it is made.
inline constexpr absl::Duration kMaxExceptionLength = absl::Hours(24 * 365 * 3);

// "EXC-000042".
std::string ExceptionIdText(uint64_t number);

// The exception as seen at `now`: active, expired (its end has passed) or revoked.
v1::RiskException ExceptionAsSeenAt(const v1::RiskException& exception, absl::Time now);

// Staff see every exception; a supplier those on the assets it operates; a department
// officer those on its department's assets.
bool MaySeeException(const v1::Actor& viewer, const v1::RiskException& exception);

class ExceptionBook {
 public:
  // Reads every exception's events back from the store. `audit` records each step.
  static absl::StatusOr<std::unique_ptr<ExceptionBook>> Load(EvidenceStore& store,
                                                             const Registry& registry,
                                                             const Catalog& catalog, Clock& clock,
                                                             RequestBook& audit);

  // Accepts a risk (exceptions.proto, CreateException, for the errors). Nothing is
  // stored when it fails.
  absl::StatusOr<v1::RiskException> Create(const v1::Actor& actor,
                                           const v1::CreateRiskExceptionRequest& request);
  // The exceptions `viewer` may see, newest first, on `asset_id` only unless empty.
  // NotFound for an asset that does not exist or that the viewer may not see.
  absl::StatusOr<std::vector<v1::RiskException>> List(const v1::Actor& viewer,
                                                      absl::string_view asset_id) const;
  // Revokes an active exception. NotFound for an unknown one (or one the actor may not
  // see); FailedPrecondition when revoked or expired already; InvalidArgument for a
  // reason over 1024 bytes or not UTF-8.
  absl::StatusOr<v1::RiskException> Revoke(const v1::Actor& actor, absl::string_view exception_id,
                                           absl::string_view reason);
  // Every exception as seen now, oldest first (for counts, reminders and alerts).
  std::vector<v1::RiskException> All() const;

 private:
  ExceptionBook(EvidenceStore& store, const Registry& registry, const Catalog& catalog,
                Clock& clock, RequestBook& audit)
      : store_(store), registry_(registry), catalog_(catalog), clock_(clock), audit_(audit) {}
  absl::Status LoadEvents();
  void Apply(const v1::RiskExceptionEvent& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes `event` with its audit entry, then applies it; the exception as it is after.
  absl::StatusOr<v1::RiskException> Append(const std::string& exception_id,
                                           v1::RiskExceptionEvent event)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckCreate(const v1::Actor& actor, const v1::CreateRiskExceptionRequest& request,
                           absl::Time now) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  EvidenceStore& store_;
  const Registry& registry_;
  const Catalog& catalog_;
  Clock& clock_;
  RequestBook& audit_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, v1::RiskException> exceptions_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);  // Ids, oldest first.
  uint64_t next_event_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_EXCEPTION_BOOK_H_
