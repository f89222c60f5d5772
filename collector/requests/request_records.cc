#include "collector/requests/request_records.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/utf8.h"

namespace postura::collector {
namespace {

std::string BigEndian64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) bytes[i] = static_cast<char>(value & 0xFF);
  return bytes;
}

v1::OutcomeAnswer* FindOutcome(v1::EvidenceRequest& request, absl::string_view outcome_id) {
  for (v1::OutcomeAnswer& outcome : *request.mutable_outcomes()) {
    if (outcome.outcome_id() == outcome_id) return &outcome;
  }
  return nullptr;
}

bool AllApproved(const v1::EvidenceRequest& request) {
  for (const v1::OutcomeAnswer& outcome : request.outcomes()) {
    if (outcome.status() != v1::ANSWER_APPROVED) return false;
  }
  return true;
}

}  // namespace

std::string EventKey(absl::string_view request_id, uint64_t sequence) {
  return absl::StrCat(kEventPrefix, request_id, "/", BigEndian64(sequence));
}

std::string AuditKey(uint64_t sequence) {
  return absl::StrCat(kAuditPrefix, BigEndian64(sequence));
}

uint64_t SequenceOfKey(absl::string_view key) {
  if (key.size() < 8) return 0;
  uint64_t value = 0;
  for (char c : key.substr(key.size() - 8)) value = value << 8 | static_cast<unsigned char>(c);
  return value;
}

std::string RequestIdText(uint64_t number) { return absl::StrFormat("REQ-%06d", number); }

void ApplyEvent(const v1::RequestEvent& event, v1::EvidenceRequest& request) {
  if (event.has_created()) {
    request = event.created();
    return;
  }
  if (event.cancelled()) {
    request.set_status(v1::REQUEST_CANCELLED);
    return;
  }
  v1::OutcomeAnswer* outcome = FindOutcome(request, event.outcome_id());
  if (outcome == nullptr) return;  // Validated before writing; a stray event changes nothing.
  if (event.has_answered()) {
    outcome->set_status(v1::ANSWER_SUBMITTED);
    *outcome->mutable_answer() = event.answered();
    outcome->clear_review();
    outcome->set_answers(outcome->answers() + 1);
  } else if (event.has_reviewed()) {
    outcome->set_status(event.reviewed().approved() ? v1::ANSWER_APPROVED : v1::ANSWER_REJECTED);
    *outcome->mutable_review() = event.reviewed();
    if (request.status() == v1::REQUEST_OPEN && AllApproved(request)) {
      request.set_status(v1::REQUEST_COMPLETE);
    }
  }
}

v1::EvidenceRequest AsSeenAt(const v1::EvidenceRequest& request, absl::Time now) {
  v1::EvidenceRequest seen = request;
  seen.set_overdue(request.status() == v1::REQUEST_OPEN &&
                   absl::FromUnixSeconds(request.due_unix_seconds()) < now);
  return seen;
}

std::string Sha256Hex(absl::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

absl::string_view LevelText(v1::Level level) {
  switch (level) {
    case v1::DLI_0:
      return "0";
    case v1::DLI_33:
      return "0.33";
    case v1::DLI_67:
      return "0.67";
    case v1::DLI_100:
      return "1";
    default:
      return "?";
  }
}

v1::AuditEntry AuditOf(const v1::RequestEvent& event, absl::string_view request_id,
                       absl::string_view record) {
  v1::AuditEntry entry;
  entry.set_at_unix_nanos(event.at_unix_nanos());
  *entry.mutable_actor() = event.actor();
  entry.set_request_id(std::string(request_id));
  entry.set_outcome_id(event.outcome_id());
  entry.set_content_sha256_hex(Sha256Hex(record));
  if (event.has_created() && !event.created().renews_request_id().empty()) {
    int prefilled = 0;
    for (const v1::OutcomeAnswer& outcome : event.created().outcomes()) {
      prefilled += outcome.has_answer();
    }
    entry.set_action("request.renew");
    entry.set_detail(absl::StrCat("renews ", event.created().renews_request_id(), ": ", prefilled,
                                  " approved answers pending again, owner ",
                                  event.created().owner_id()));
  } else if (event.has_created()) {
    entry.set_action("request.create");
    entry.set_detail(absl::StrCat(event.created().outcomes_size(), " outcomes on ",
                                  event.created().asset_ids_size(), " assets, owner ",
                                  event.created().owner_id()));
  } else if (event.cancelled()) {
    entry.set_action("request.cancel");
    entry.set_detail(ValidUtf8Prefix(event.reason(), 200));
  } else if (event.has_answered()) {
    entry.set_action("answer.submit");
    entry.set_detail(absl::StrCat("level ", LevelText(event.answered().level()), ", ",
                                  event.answered().documents_size(), " documents"));
  } else if (event.has_reviewed()) {
    entry.set_action(event.reviewed().approved() ? "answer.approve" : "answer.reject");
    entry.set_detail(ValidUtf8Prefix(event.reviewed().comment(), 200));
  }
  return entry;
}

}  // namespace postura::collector
