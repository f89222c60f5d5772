#ifndef POSTURA_COLLECTOR_SECTOR_SIGNED_SUMMARY_H_
#define POSTURA_COLLECTOR_SECTOR_SIGNED_SUMMARY_H_

// The sector's wire unit (issue 20, item 2; docs/scale.md, "Sector federation"): one
// asset's summary, signed by its organisation. The organisation's collector seals
// summaries; the sector collector opens each message it reads from an organisation's
// subject and takes it only if it is well formed, within bounds, signed by the key the
// sector's config gives that organisation, and published for that same organisation.
// What fails is refused with a status that says why, and the caller goes on with the
// next message.
//
// Pure functions; any thread may call them.

#include <cstddef>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/transport/p256_signature.h"
#include "postura/v1/sector.pb.h"

namespace postura::collector {

// The largest signed summary a sector takes: one asset's figures and a byte per outcome
// fit in well under 1 KiB; names and ids add at most a few hundred bytes more.
inline constexpr size_t kMaxSignedSummaryBytes = 8 << 10;

// An organisation's public key, by the organisation id the sector knows it by.
using SectorMembers = absl::flat_hash_map<std::string, P256Verifier>;

// Whether `id` may name an organisation or an asset reference at a sector: 1 to 64 of
// A-Z, a-z, 0-9, - and _ (so it is also a token of a NATS subject).
bool IsSectorName(absl::string_view id);

// The pseudonym an organisation publishes for `asset_id` when it does not publish asset
// ids: 32 lowercase hex digits of the SHA-256 of "postura.sector.asset.v1", the
// organisation id, "/" and the asset id. Stable, so each asset keeps its place at the
// sector; not secret from whoever can guess asset ids.
std::string AssetPseudonym(absl::string_view organisation_id, absl::string_view asset_id);

// OK if `summary` is one a sector can take: names as IsSectorName, a version, a
// publication time, and unless removed an implementation group, figures in [0, 1] with
// the adjusted value at most the value, and exactly `outcome_count` outcome levels, each
// 0 to 4. InvalidArgument naming the first fault otherwise.
absl::Status CheckSummary(const v1::SectorAssetSummary& summary, size_t outcome_count);

// `summary` serialized and signed by the organisation's `key`, as a message for the
// sector's stream. Internal if signing fails.
absl::StatusOr<std::string> SealSummary(const v1::SectorAssetSummary& summary,
                                        const P256Signer& key);

// The summary in `message`, read from the subject of organisation `publisher`.
// InvalidArgument for a message past kMaxSignedSummaryBytes, one that does not parse or
// fails CheckSummary; PermissionDenied for a publisher that is not among `members` or a
// summary naming another organisation than its publisher; Unauthenticated for a
// signature that is not the publisher's.
absl::StatusOr<v1::SectorAssetSummary> OpenSummary(absl::string_view message,
                                                   absl::string_view publisher,
                                                   const SectorMembers& members,
                                                   size_t outcome_count);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SECTOR_SIGNED_SUMMARY_H_
