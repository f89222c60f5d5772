#include "collector/sector_publishing.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/transport/private_file.h"

namespace postura::collector {
namespace {

absl::StatusOr<P256Signer> ReadOrganisationKey(const std::string& key_file) {
  absl::StatusOr<std::string> pem = ReadSecretFile(key_file);
  if (!pem.ok()) {
    return absl::Status(pem.status().code(),
                        absl::StrCat("sector_publish.key_file: ", pem.status().message()));
  }
  return P256Signer::FromKeyPem(*pem + "\n", absl::StrCat("sector_publish.key_file ", key_file));
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

}  // namespace

absl::StatusOr<std::unique_ptr<SectorPublishing>> SectorPublishing::Start(
    const SectorPublishSettings& settings, const LiveScorer& scorer, const Catalog& catalog) {
  if (!settings.enabled()) return nullptr;
  absl::StatusOr<P256Signer> key = ReadOrganisationKey(settings.key_file);
  if (!key.ok()) return key.status();
  std::unique_ptr<SectorPublishing> publishing(new SectorPublishing());
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open({.servers = settings.nats_servers,
                          .stream = settings.stream,
                          .subject = absl::StrCat(settings.subject_prefix, ".>"),
                          .max_messages_per_subject = 1,
                          .replicas = settings.replicas});
  if (!log.ok()) return log.status();
  publishing->log_ = *std::move(log);
  absl::StatusOr<std::unique_ptr<SectorPublisher>> publisher = SectorPublisher::Create(
      *publishing->log_, *std::move(key), [&scorer] { return Snapshots(scorer); }, catalog,
      {.organisation_id = settings.organisation_id,
       .publish_asset_ids = settings.publish_asset_ids,
       .interval = settings.interval,
       .refresh = settings.refresh});
  if (!publisher.ok()) return publisher.status();
  publishing->publisher_ = *std::move(publisher);
  publishing->publisher_->Start();
  return publishing;
}

}  // namespace postura::collector
