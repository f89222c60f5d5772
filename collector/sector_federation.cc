#include "collector/sector_federation.h"

#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/transport/private_file.h"

namespace postura::collector {
namespace {

// `status` with `key` before its message.
absl::Status Naming(absl::string_view key, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(key, ": ", status.message()));
}

absl::StatusOr<P256Signer> ReadOrganisationKey(const std::string& key_file) {
  absl::StatusOr<std::string> pem = ReadSecretFile(key_file);
  if (!pem.ok()) return Naming("sector_publish.key_file", pem.status());
  return P256Signer::FromKeyPem(*pem + "\n", absl::StrCat("sector_publish.key_file ", key_file));
}

// The text of a public key file: NotFound if it cannot be read, InvalidArgument past 16 KiB.
absl::StatusOr<std::string> ReadPublicKeyFile(const std::string& path) {
  constexpr size_t kMaxBytes = 16 << 10;
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::string text(kMaxBytes + 1, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(file.gcount()));
  if (text.size() > kMaxBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is larger than 16 KiB"));
  }
  return text;
}

absl::StatusOr<SectorMembers> ReadMembers(const std::vector<SectorSettings::Member>& members) {
  SectorMembers keys;
  for (size_t i = 0; i < members.size(); ++i) {
    const std::string key = absl::StrCat("sector.members[", i, "].public_key_file");
    absl::StatusOr<std::string> pem = ReadPublicKeyFile(members[i].public_key_file);
    if (!pem.ok()) return Naming(key, pem.status());
    absl::StatusOr<P256Verifier> verifier =
        P256Verifier::FromPublicKeyPem(*pem, absl::StrCat(key, " ", members[i].public_key_file));
    if (!verifier.ok()) return verifier.status();
    keys.emplace(members[i].organisation_id, *std::move(verifier));
  }
  return keys;
}

// Every asset's snapshot, as live scoring holds it now.
std::vector<AssetSnapshot> Snapshots(const LiveScorer& scorer) {
  std::vector<AssetSnapshot> snapshots;
  for (const v1::AssetSummary& summary : scorer.Summaries("", "")) {
    std::optional<AssetSnapshot> snapshot = scorer.Snapshot(summary.asset_id());
    if (snapshot) snapshots.push_back(*std::move(snapshot));
  }
  return snapshots;
}

// The sector's stream as `servers`, `stream`, `prefix` and `replicas` name it: one
// message per subject below "<prefix>.>".
absl::StatusOr<std::unique_ptr<JetStreamLog>> OpenSectorStream(
    const std::vector<std::string>& servers, const std::string& stream, const std::string& prefix,
    int replicas) {
  return JetStreamLog::Open({.servers = servers,
                             .stream = stream,
                             .subject = absl::StrCat(prefix, ".>"),
                             .max_messages_per_subject = 1,
                             .replicas = replicas});
}

}  // namespace

absl::StatusOr<std::unique_ptr<SectorFederation>> SectorFederation::Start(
    const SectorPublishSettings& publish, const SectorSettings& sector, const LiveScorer& scorer,
    const Catalog& catalog) {
  if (!publish.enabled() && !sector.enabled()) return nullptr;
  std::unique_ptr<SectorFederation> federation(new SectorFederation());
  if (publish.enabled()) {
    if (absl::Status s = federation->StartPublishing(publish, scorer, catalog); !s.ok()) return s;
  }
  if (sector.enabled()) {
    if (absl::Status s = federation->StartSectorMode(sector, catalog); !s.ok()) return s;
  }
  return federation;
}

absl::Status SectorFederation::StartPublishing(const SectorPublishSettings& settings,
                                               const LiveScorer& scorer, const Catalog& catalog) {
  absl::StatusOr<P256Signer> key = ReadOrganisationKey(settings.key_file);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log = OpenSectorStream(
      settings.nats_servers, settings.stream, settings.subject_prefix, settings.replicas);
  if (!log.ok()) return log.status();
  publish_log_ = *std::move(log);
  absl::StatusOr<std::unique_ptr<SectorPublisher>> publisher = SectorPublisher::Create(
      *publish_log_, *std::move(key), [&scorer] { return Snapshots(scorer); }, catalog,
      {.organisation_id = settings.organisation_id,
       .publish_asset_ids = settings.publish_asset_ids,
       .interval = settings.interval,
       .refresh = settings.refresh});
  if (!publisher.ok()) return publisher.status();
  publisher_ = *std::move(publisher);
  publisher_->Start();
  return absl::OkStatus();
}

absl::Status SectorFederation::StartSectorMode(const SectorSettings& settings,
                                               const Catalog& catalog) {
  absl::StatusOr<SectorMembers> members = ReadMembers(settings.members);
  if (!members.ok()) return members.status();
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log = OpenSectorStream(
      settings.nats_servers, settings.stream, settings.subject_prefix, settings.replicas);
  if (!log.ok()) return log.status();
  sector_log_ = *std::move(log);
  absl::StatusOr<std::unique_ptr<SectorFeed>> feed =
      SectorFeed::Start(*sector_log_, *std::move(members),
                        {.outcome_count = catalog.outcomes().size(),
                         .view = {.degraded_min_organisations = settings.degraded_min_organisations,
                                  .degraded_window = settings.degraded_window},
                         .consumer = settings.consumer});
  if (!feed.ok()) return feed.status();
  feed_ = *std::move(feed);
  degraded_window_ = settings.degraded_window;
  return absl::OkStatus();
}

SectorSource SectorFederation::DegradationSource(const Catalog& catalog, Clock& clock) const {
  if (feed_ == nullptr) return nullptr;
  const absl::Time covers_window_from = clock.TimeNow() + degraded_window_;
  return [this, &catalog, &clock, covers_window_from] {
    const absl::Time now = clock.TimeNow();
    SectorDegradations degradations;
    degradations.whole_window = now >= covers_window_from;
    feed_->Read([&](const SectorView& view) {
      for (DegradedOutcome& degraded : view.Degraded(now)) {
        degradations.outcomes.push_back({.outcome_id = catalog.outcomes()[degraded.outcome].id,
                                         .organisations = std::move(degraded.organisations),
                                         .latest_fall = degraded.latest});
      }
    });
    return degradations;
  };
}

}  // namespace postura::collector
