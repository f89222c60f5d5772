#ifndef POSTURA_COLLECTOR_REQUESTS_REQUEST_RECORDS_H_
#define POSTURA_COLLECTOR_REQUESTS_REQUEST_RECORDS_H_

// The evidence requests' records in the store's "requests" family, and how a request's
// state follows from its events. Keys: "event/<request id>/<sequence, 8 bytes
// big-endian>" (a v1::RequestEvent) and "audit/<sequence, 8 bytes big-endian>" (a
// v1::AuditEntry). Both are appended and never rewritten: a request's state is the fold
// of its events (ApplyEvent), so nothing in the workflow is edited in place.
//
// Used by the request book (request_book.h). Threading: pure functions.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

std::string EventKey(absl::string_view request_id, uint64_t sequence);
inline constexpr absl::string_view kEventPrefix = "event/";
std::string AuditKey(uint64_t sequence);
inline constexpr absl::string_view kAuditPrefix = "audit/";
// The sequence at the end of an event or audit key; 0 if the key is too short.
uint64_t SequenceOfKey(absl::string_view key);

// "REQ-000042".
std::string RequestIdText(uint64_t number);

// Applies one event to `request`'s state (a created event replaces it). Document sizes
// are added to document_bytes by the caller, which knows which are new to the request.
void ApplyEvent(const v1::RequestEvent& event, v1::EvidenceRequest& request);

// The request as a reader sees it at `now`: overdue set when it is open past its due date.
v1::EvidenceRequest AsSeenAt(const v1::EvidenceRequest& request, absl::Time now);

// Hex SHA-256 of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

// The audit entry of `event`: its action, request, outcome, the hash of its record and a
// one-line summary.
v1::AuditEntry AuditOf(const v1::RequestEvent& event, absl::string_view request_id,
                       absl::string_view record);

// A level as a DLI fraction text: "0", "0.33", "0.67", "1"; "?" if unspecified.
absl::string_view LevelText(v1::Level level);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_REQUEST_RECORDS_H_
