#include "collector/ingest/batch_validator.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "openssl/evp.h"

namespace postura::collector {
namespace {

constexpr std::size_t kMaxCheckIdBytes = 256;

struct Problem {
  v1::RejectReason reason;
  std::string message;
};

// Check ids become part of storage keys: printable ASCII without spaces.
bool IsValidCheckId(absl::string_view id) {
  return !id.empty() && id.size() <= kMaxCheckIdBytes &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < 127; });
}

std::optional<Problem> CheckItem(const v1::Evidence& item, const AgentBinding& binding,
                                 const Catalog& catalog, const ValidationLimits& limits,
                                 absl::Time now) {
  if (!catalog.FindOutcome(item.outcome_id())) {
    return Problem{v1::UNKNOWN_OUTCOME,
                   absl::StrCat("unknown outcome '", item.outcome_id().substr(0, 64), "'")};
  }
  if (!v1::Level_IsValid(item.level()) || item.level() == v1::LEVEL_UNSPECIFIED) {
    return Problem{v1::INVALID_LEVEL, absl::StrCat("invalid level ", item.level())};
  }
  if (!v1::EvidenceKind_IsValid(item.kind()) || item.kind() == v1::EVIDENCE_KIND_UNSPECIFIED) {
    return Problem{v1::INVALID_KIND, absl::StrCat("invalid kind ", item.kind())};
  }
  if (!binding.asset_ids.contains(item.asset_id())) {
    return Problem{v1::ASSET_NOT_BOUND,
                   absl::StrCat("agent ", binding.agent_id, " is not bound to asset '",
                                item.asset_id().substr(0, 128), "'")};
  }
  const absl::Time observed = absl::FromUnixNanos(item.observed_at_unix_nanos());
  if (item.observed_at_unix_nanos() <= 0 ||
      item.expires_at_unix_nanos() <= item.observed_at_unix_nanos()) {
    return Problem{v1::INVALID_EXPIRY, "observed_at must be set and expires_at after it"};
  }
  if (observed > now + limits.max_future_skew) {
    return Problem{v1::OBSERVED_IN_FUTURE,
                   absl::StrCat("observed_at is ", absl::FormatDuration(observed - now),
                                " after the collector's clock (limit ",
                                absl::FormatDuration(limits.max_future_skew), ")")};
  }
  if (!IsValidCheckId(item.check_id())) {
    return Problem{v1::MISSING_CHECK_ID, absl::StrCat("check_id must be 1 to ", kMaxCheckIdBytes,
                                                      " printable characters without spaces")};
  }
  if (item.detail().size() > limits.max_detail_bytes) {
    return Problem{v1::DETAIL_TOO_LONG,
                   absl::StrCat("detail has ", item.detail().size(), " bytes; the limit is ",
                                limits.max_detail_bytes)};
  }
  if (!item.content_sha256().empty() && item.content_sha256().size() != 32) {
    return Problem{v1::INVALID_CONTENT_HASH,
                   absl::StrCat("content_sha256 has ", item.content_sha256().size(),
                                " bytes; a SHA-256 has 32")};
  }
  return std::nullopt;
}

}  // namespace

BatchVerdict ValidateBatch(const v1::Batch& batch, const AgentBinding& binding,
                           const Catalog& catalog, const ValidationLimits& limits, absl::Time now) {
  BatchVerdict verdict;
  verdict.valid.assign(batch.items_size(), true);
  for (int i = 0; i < batch.items_size(); ++i) {
    std::optional<Problem> problem = CheckItem(batch.items(i), binding, catalog, limits, now);
    if (!problem) continue;
    verdict.valid[i] = false;
    v1::Rejection& rejection = verdict.rejections.emplace_back();
    rejection.set_index(i);
    rejection.set_reason(problem->reason);
    rejection.set_message(std::move(problem->message));
  }
  return verdict;
}

std::array<uint8_t, 32> BatchDigest(const v1::Batch& batch) {
  std::array<uint8_t, 32> digest{};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  // Failures here mean no memory or a broken OpenSSL: our invariant, not input.
  CHECK(context != nullptr && EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) == 1);
  std::string bytes;
  for (const v1::Evidence& item : batch.items()) {
    bytes.clear();
    {
      google::protobuf::io::StringOutputStream stream(&bytes);
      google::protobuf::io::CodedOutputStream coded(&stream);
      coded.SetSerializationDeterministic(true);
      item.SerializeToCodedStream(&coded);
    }
    unsigned char length[8];
    for (int i = 0; i < 8; ++i)
      length[i] = static_cast<unsigned char>(bytes.size() >> (56 - 8 * i));
    CHECK_EQ(EVP_DigestUpdate(context.get(), length, sizeof(length)), 1);
    CHECK_EQ(EVP_DigestUpdate(context.get(), bytes.data(), bytes.size()), 1);
  }
  unsigned int size = 0;
  CHECK(EVP_DigestFinal_ex(context.get(), digest.data(), &size) == 1 && size == digest.size());
  return digest;
}

}  // namespace postura::collector
