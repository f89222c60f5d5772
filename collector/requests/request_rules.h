#ifndef POSTURA_COLLECTOR_REQUESTS_REQUEST_RULES_H_
#define POSTURA_COLLECTOR_REQUESTS_REQUEST_RULES_H_

// The evidence-request workflow's rules, as pure functions the request book
// (request_book.h) applies: who sees a request, who answers it, what text and levels are
// taken, which outcome an answer or review is about, and the attested evidence an
// approval writes.
//
// Threading: pure functions.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/model/catalog.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

// Statements, comments and titles: 1 to this many bytes of UTF-8.
inline constexpr size_t kMaxTextBytes = 4096;

// An id quoted for a message: cut to 128 bytes, valid UTF-8.
std::string Quoted(absl::string_view id);

// Staff (admin, operator, auditor) see every request; a supplier those its tenant owns; a
// department officer those its department owns.
bool MaySee(const v1::Actor& viewer, const v1::EvidenceRequest& request);

// OK if `actor` answers for the request's owner: a supplier-owned request is answered by
// that supplier's tokens, a department's by that department's officers (staff answer
// none). PermissionDenied naming the owner otherwise.
absl::Status CheckOwner(const v1::Actor& actor, const v1::EvidenceRequest& request);

// InvalidArgument naming `field` unless `text` is 1 to kMaxTextBytes bytes of UTF-8.
absl::Status CheckText(absl::string_view field, absl::string_view text);

// True for the four DLI levels.
bool IsDli(v1::Level level);

// The outcome an answer or review is about: InvalidArgument if the catalog has no such
// outcome or the request does not ask for it.
absl::StatusOr<const v1::OutcomeAnswer*> AskedOutcome(const v1::EvidenceRequest& request,
                                                      absl::string_view outcome_id,
                                                      const Catalog& catalog);

// FailedPrecondition for a cancelled request.
absl::Status CheckNotCancelled(const v1::EvidenceRequest& request);

// The attested evidence an approval of `outcome`'s answer writes: one item per asset of
// the request that still exists, at the answer's level, observed `now`, expiring after the
// request's validity, check "request.<id>", the first document's hash.
std::vector<v1::Evidence> ApprovedEvidence(
    const v1::EvidenceRequest& request, const v1::OutcomeAnswer& outcome, const v1::Actor& reviewer,
    absl::Time now, uint32_t max_detail_bytes,
    const std::function<bool(const std::string&)>& asset_exists);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_REQUEST_RULES_H_
