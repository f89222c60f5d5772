#include "collector/sector/sector_publisher.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "collector/sector/signed_summary.h"
#include "common/base/thread_name.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// The consumer through which an organisation's publisher reads back its own subjects.
std::string RecallConsumerName(const std::string& organisation_id) {
  std::string name = absl::StrCat("publisher-", organisation_id);
  if (IsJetStreamName(name)) return name;
  return absl::StrCat("publisher-", AssetPseudonym(organisation_id, ""));  // Too long.
}

}  // namespace

v1::SectorAssetSummary SummaryOf(const AssetSnapshot& snapshot, const Catalog& catalog,
                                 const std::string& organisation_id, bool publish_asset_ids) {
  const v1::AssetSummary& figures = snapshot.summary;
  v1::SectorAssetSummary summary;
  summary.set_organisation_id(organisation_id);
  if (publish_asset_ids && IsSectorName(figures.asset_id())) {
    summary.set_asset_ref(figures.asset_id());
    summary.set_asset_id(figures.asset_id());
    summary.set_asset_name(figures.name());
  } else {
    summary.set_asset_ref(AssetPseudonym(organisation_id, figures.asset_id()));
  }
  summary.set_implementation_group(
      static_cast<v1::ImplementationGroup>(static_cast<int>(snapshot.group) + 1));
  summary.set_value(figures.value());
  summary.set_adjusted_value(std::min(figures.adjusted_value(), figures.value()));
  summary.set_coverage(figures.coverage());
  summary.set_target_count(figures.target_count());
  summary.set_targets_met(figures.targets_met());
  std::string levels(catalog.outcomes().size(), '\0');
  for (int outcome : catalog.model(snapshot.group).applicable_outcomes()) {
    if (static_cast<size_t>(outcome) >= snapshot.cells.size()) continue;
    levels[outcome] = static_cast<char>(1 + static_cast<int>(snapshot.cells[outcome].level));
  }
  summary.set_outcome_levels(std::move(levels));
  return summary;
}

absl::StatusOr<std::unique_ptr<SectorPublisher>> SectorPublisher::Create(
    JetStreamLog& log, P256Signer key, Snapshots snapshots, const Catalog& catalog,
    SectorPublisherOptions options) {
  if (!IsSectorName(options.organisation_id)) {
    return absl::InvalidArgumentError(absl::StrCat("sector organisation id '",
                                                   options.organisation_id,
                                                   "': 1 to 64 of A-Z, a-z, 0-9, - and _"));
  }
  absl::string_view prefix = log.options().subject;
  if (!absl::ConsumeSuffix(&prefix, ">")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the sector stream's subject '", log.options().subject, "' does not end in \".>\""));
  }
  std::string subject_prefix = absl::StrCat(prefix, options.organisation_id, ".");
  return std::unique_ptr<SectorPublisher>(
      new SectorPublisher(log, std::move(key), std::move(snapshots), catalog, std::move(options),
                          std::move(subject_prefix)));
}

SectorPublisher::SectorPublisher(JetStreamLog& log, P256Signer key, Snapshots snapshots,
                                 const Catalog& catalog, SectorPublisherOptions options,
                                 std::string subject_prefix)
    : log_(log),
      key_(std::move(key)),
      snapshots_(std::move(snapshots)),
      catalog_(catalog),
      options_(std::move(options)),
      subject_prefix_(std::move(subject_prefix)) {}

SectorPublisher::~SectorPublisher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void SectorPublisher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void SectorPublisher::Run() {
  NameThisThread("sector-publish");
  for (;;) {
    if (!recalled_) {
      const absl::Status recalled = RecallPublished();
      recalled_ = recalled.ok();
      LOG_IF(WARNING, !recalled_) << "sector: reading back what was published before: "
                                  << recalled.message() << "; tried again in " << options_.interval;
    }
    // Nothing is published before the read-back: a version under one published before
    // (a clock that went back) would replace it on the stream and be ignored by the views.
    absl::StatusOr<int> published =
        recalled_ ? PublishChanges(absl::Now()) : absl::UnavailableError("not read back yet");
    if (recalled_ && !published.ok()) {
      LOG_EVERY_N(WARNING, 20) << "sector: publishing summaries: " << published.status().message()
                               << "; tried again in " << options_.interval;
    }
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.interval)) return;
  }
}

absl::Status SectorPublisher::RecallPublished() {
  absl::StatusOr<std::string> own_key = key_.PublicKeyPem();
  if (!own_key.ok()) return own_key.status();
  absl::StatusOr<P256Verifier> verifier =
      P256Verifier::FromPublicKeyPem(*own_key, "the organisation's own key");
  if (!verifier.ok()) return verifier.status();
  SectorMembers self;
  self.emplace(options_.organisation_id, *std::move(verifier));
  const std::string name = RecallConsumerName(options_.organisation_id);
  absl::StatusOr<std::unique_ptr<LogConsumer>> consumer =
      log_.Consumer(name, 1, absl::StrCat(subject_prefix_, ">"));
  if (!consumer.ok()) return consumer.status();
  int recalled = 0;
  auto recall = [&](std::vector<LogMessage>& messages) {
    for (const LogMessage& message : messages) {
      absl::StatusOr<v1::SectorAssetSummary> summary =
          OpenSummary(message.data, options_.organisation_id, self, catalog_.outcomes().size());
      if (!summary.ok()) continue;  // Not signed with this key (a shared server).
      if (summary->removed()) {
        // Gone, but the views keep its version: a return must be published above it.
        uint64_t& floor = removed_versions_[summary->asset_ref()];
        floor = std::max(floor, summary->version());
        continue;
      }
      Published& last = published_[summary->asset_ref()];
      if (last.version >= summary->version()) continue;  // Published since this start.
      last.version = summary->version();
      ++recalled;
    }
    return absl::OkStatus();
  };
  for (;;) {
    absl::StatusOr<int> read = (*consumer)->Next(256, absl::Milliseconds(500), recall);
    if (!read.ok()) return read.status();
    if (*read == 0) break;
  }
  consumer->reset();
  if (absl::Status removed = log_.RemoveConsumer(name); !removed.ok()) {
    LOG(WARNING) << "sector: " << removed.message();  // Replaced at the next start.
  }
  LOG(INFO) << "sector: " << recalled << " assets of " << options_.organisation_id
            << " were published before this start";
  return absl::OkStatus();
}

absl::StatusOr<int> SectorPublisher::PublishChanges(absl::Time now) {
  absl::flat_hash_map<std::string, v1::SectorAssetSummary> current;
  for (const AssetSnapshot& snapshot : snapshots_()) {
    v1::SectorAssetSummary summary =
        SummaryOf(snapshot, catalog_, options_.organisation_id, options_.publish_asset_ids);
    std::string ref = summary.asset_ref();
    current.emplace(std::move(ref), std::move(summary));
  }
  absl::Status first_failure;
  int stored = 0;
  auto note = [&](const absl::Status& status) {
    if (status.ok()) {
      ++stored;
    } else if (first_failure.ok()) {
      first_failure = status;
    }
  };
  for (auto& [ref, summary] : current) {
    Published& last = published_[ref];
    if (auto removed = removed_versions_.find(ref); removed != removed_versions_.end()) {
      last.version = std::max(last.version, removed->second);  // Back after its removal.
      removed_versions_.erase(removed);
    }
    std::string figures = summary.SerializeAsString();
    if (figures == last.figures && now - last.at < options_.refresh) continue;
    note(Publish(std::move(summary), std::move(figures), last, now));
  }
  std::vector<std::string> gone;
  for (const auto& [ref, last] : published_) {
    if (!current.contains(ref)) gone.push_back(ref);
  }
  for (const std::string& ref : gone) {
    v1::SectorAssetSummary removal;
    removal.set_organisation_id(options_.organisation_id);
    removal.set_asset_ref(ref);
    removal.set_removed(true);
    std::string figures = removal.SerializeAsString();
    const absl::Status removed =
        Publish(std::move(removal), std::move(figures), published_[ref], now);
    if (removed.ok()) published_.erase(ref);
    note(removed);
  }
  absl::MutexLock lock(&mu_);
  ++stats_.rounds;
  stats_.published += stored;
  if (!first_failure.ok()) {
    ++stats_.failures;
    return first_failure;
  }
  return stored;
}

absl::Status SectorPublisher::Publish(v1::SectorAssetSummary summary, std::string figures,
                                      Published& last, absl::Time now) {
  const uint64_t version =
      std::max<uint64_t>(last.version + 1, static_cast<uint64_t>(absl::ToUnixNanos(now)));
  summary.set_version(version);
  summary.set_published_at_unix_nanos(absl::ToUnixNanos(now));
  absl::StatusOr<std::string> message = SealSummary(summary, key_);
  if (!message.ok()) return message.status();
  const std::string subject = absl::StrCat(subject_prefix_, summary.asset_ref());
  absl::StatusOr<Appended> appended = log_.AppendTo(
      subject, absl::StrCat(options_.organisation_id, "/", summary.asset_ref(), "/", version),
      *message);
  if (!appended.ok()) return appended.status();
  last = {.figures = std::move(figures), .version = version, .at = now};
  return absl::OkStatus();
}

SectorPublisherStats SectorPublisher::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace postura::collector
