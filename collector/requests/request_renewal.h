#ifndef POSTURA_COLLECTOR_REQUESTS_REQUEST_RENEWAL_H_
#define POSTURA_COLLECTOR_REQUESTS_REQUEST_RENEWAL_H_

// Renewing an evidence request (docs/requests.md, "Expiry and renewal"): the rules for
// which request may be renewed and the new request a renewal opens, with the previous
// approved answers pre-filled as pending answers. RequestBook::Renew (defined in
// request_renewal.cc, beside these) applies them under the book's lock.
//
// Threading: pure functions.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

// A renewal is due this long before its answers expire unless asked otherwise.
inline constexpr absl::Duration kRenewalFallbackDue = absl::Hours(24 * 30);

// OK if `request` may be renewed: complete (every outcome approved), not renewed yet.
// FailedPrecondition naming why not otherwise: open (with how many outcomes are
// approved), cancelled, renewed already by which request.
absl::Status CheckRenewable(const v1::EvidenceRequest& request);

// The renewal's due date: `asked` if given (InvalidArgument unless after `now` and
// within 5 years), else the earliest expiry of the request's approvals, or
// kRenewalFallbackDue from now when that is sooner.
absl::StatusOr<absl::Time> RenewalDue(const v1::EvidenceRequest& request,
                                      int64_t asked_unix_seconds, absl::Time now);

// The request a renewal of `previous` opens (its id left empty): the same title, scope,
// owner, outcomes and validity; `assets` and `owner_tenant` as resolved now; each
// outcome's approved answer copied as a submitted one (level, statement, documents by
// hash, submitter and time).
v1::EvidenceRequest RenewalOf(const v1::EvidenceRequest& previous,
                              const std::vector<std::string>& assets,
                              const std::string& owner_tenant, absl::Time due,
                              const v1::Actor& actor, absl::Time now);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_REQUEST_RENEWAL_H_
