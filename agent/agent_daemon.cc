#include "agent/agent_daemon.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/delivery/attestation.h"
#include "agent/delivery/wire_level.h"
#include "common/base/utf8.h"
#include "glog/logging.h"

namespace postura::agent {

std::vector<v1::Evidence> EvidenceFromResults(const std::vector<CheckResult>& results,
                                              const std::vector<Check>& checks,
                                              const std::vector<std::string>& assets,
                                              uint32_t ttl_intervals) {
  std::vector<v1::Evidence> evidence;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const CheckResult& result = results[i];
    if (!result.level) continue;
    const absl::Time expires = result.observed_at + checks[i].interval * ttl_intervals;
    for (const std::string& asset : assets) {
      for (const std::string& outcome : result.outcomes) {
        v1::Evidence& item = evidence.emplace_back();
        item.set_asset_id(asset);
        item.set_outcome_id(outcome);
        item.set_level(ToWireLevel(*result.level));
        item.set_observed_at_unix_nanos(absl::ToUnixNanos(result.observed_at));
        item.set_expires_at_unix_nanos(absl::ToUnixNanos(expires));
        item.set_check_id(result.check_id);
        item.set_kind(v1::OBSERVED);
        item.set_detail(ValidUtf8Prefix(result.detail, kMaxEvidenceDetailBytes));
      }
    }
  }
  return evidence;
}

absl::StatusOr<std::vector<Check>> LoadChecks(const std::vector<std::string>& packs,
                                              const Catalog& catalog) {
  std::vector<Check> checks;
  absl::flat_hash_set<std::string> ids;
  for (const std::string& path : packs) {
    absl::StatusOr<CheckPack> pack = LoadCheckPack(path, catalog);
    if (!pack.ok()) return pack.status();
    for (Check& check : pack->checks) {
      if (!ids.insert(check.id).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": check '", check.id, "' is also in an earlier pack"));
      }
      checks.push_back(std::move(check));
    }
  }
  return checks;
}

absl::StatusOr<std::unique_ptr<AgentDaemon>> AgentDaemon::Start(const AgentOptions& options,
                                                                const Catalog& catalog,
                                                                Clock& clock) {
  std::unique_ptr<AgentDaemon> daemon(new AgentDaemon(options, catalog, clock));
  absl::StatusOr<std::vector<Check>> checks = LoadChecks(options.packs, catalog);
  if (!checks.ok()) return checks.status();
  daemon->UseChecks(*std::move(checks));
  absl::StatusOr<std::unique_ptr<Spool>> spool =
      Spool::Open({.directory = options.spool_directory,
                   .max_bytes = options.spool_max_bytes,
                   .segment_bytes = SpoolOptions().segment_bytes,
                   .ingest_limits = {}});
  if (!spool.ok()) return spool.status();
  daemon->spool_ = *std::move(spool);
  daemon->runner_ = std::make_unique<CheckRunner>(CheckRunnerOptions{.root = options.root}, clock);
  daemon->identity_ = std::make_unique<IdentityHolder>(options.certificate);
  daemon->uploader_ = std::make_unique<Uploader>(
      *daemon->spool_, UploaderOptions{.collector_addresses = CollectorAddresses(options),
                                       .trust = options.trust,
                                       .identity = daemon->identity_.get(),
                                       .agent_id = options.agent_id});
  if (!options.certificate.empty()) {
    RenewalOptions renewal;
    renewal.collector_addresses = CollectorAddresses(options);
    renewal.trust.ca_certificate_pem = options.trust.ca_certificate_pem;
    renewal.agent_id = options.agent_id;
    renewal.certificate_file = options.certificate_file;
    daemon->renewal_ = std::make_unique<CertificateRenewal>(renewal, *daemon->identity_);
  }
  if (!options.openscap_sources.empty() || !options.xccdf_drops.empty()) {
    Uploader* uploader = daemon->uploader_.get();
    absl::StatusOr<std::unique_ptr<OpenscapSource>> openscap = OpenscapSource::Create(
        options, catalog, *daemon->spool_, clock, [uploader] { uploader->Notify(); });
    if (!openscap.ok()) return openscap.status();
    daemon->openscap_ = *std::move(openscap);
    daemon->openscap_->Start();
  }
  // Tests and tools wait for " checks for assets of ": keep the words.
  LOG(INFO) << "agent " << options.agent_id << ": " << daemon->checks_.size()
            << " checks for assets of " << absl::StrJoin(CollectorAddresses(options), ", ") << "; "
            << options.openscap_sources.size() << " OpenSCAP sources, "
            << options.xccdf_drops.size() << " drop directories";
  return daemon;
}

void AgentDaemon::UseChecks(std::vector<Check> checks) {
  absl::flat_hash_map<std::string, absl::Time> next_due;
  for (const Check& check : checks) {
    // A check kept across a reload keeps its schedule; a new one runs at once.
    auto kept = next_due_.find(check.id);
    next_due[check.id] = kept != next_due_.end() ? kept->second : absl::InfinitePast();
  }
  checks_ = std::move(checks);
  next_due_ = std::move(next_due);
}

absl::Status AgentDaemon::ReloadPacks() {
  absl::StatusOr<std::vector<Check>> checks = LoadChecks(options_.packs, catalog_);
  if (!checks.ok()) {
    LOG(ERROR) << "packs not reloaded, the " << checks_.size()
               << " checks loaded before keep running: " << checks.status().message();
    return checks.status();
  }
  const size_t before = checks_.size();
  UseChecks(*std::move(checks));
  LOG(INFO) << "packs reloaded: " << checks_.size() << " checks (were " << before << ")";
  return absl::OkStatus();
}

absl::StatusOr<int> AgentDaemon::AcceptAttestations() {
  absl::StatusOr<int> accepted = DrainInbox(options_.spool_directory, *spool_);
  if (accepted.ok() && *accepted > 0) {
    LOG(INFO) << "spooled " << *accepted << " attestations";
    uploader_->Notify();
  }
  return accepted;
}

absl::StatusOr<int> AgentDaemon::RunDueChecks() {
  const absl::Time now = clock_.TimeNow();
  std::vector<Check> due;
  for (const Check& check : checks_) {
    if (next_due_[check.id] <= now) {
      due.push_back(check);
      next_due_[check.id] = now + check.interval;
    }
  }
  if (due.empty()) return 0;
  const std::vector<CheckResult> results = runner_->Run(due);
  std::vector<v1::Evidence> evidence =
      EvidenceFromResults(results, due, options_.assets, options_.evidence_ttl_intervals);
  if (!evidence.empty()) {
    absl::StatusOr<uint64_t> sequence = spool_->Append(std::move(evidence));
    if (!sequence.ok()) return sequence.status();
    uploader_->Notify();
  }
  return static_cast<int>(due.size());
}

}  // namespace postura::agent
