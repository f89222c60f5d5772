#include "collector/live_alerting.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "collector/alerting/syslog_sink.h"
#include "collector/alerting/webhook_sink.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// "1 rule", "2 rules".
std::string Count(size_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

std::string Describe(const AlertingOptions& options) {
  if (!options.enabled()) return "alerting off";
  return absl::StrCat("alerting: ", Count(options.rules.size(), "rule"), ", ",
                      Count(options.webhooks.size(), "webhook"), ", ",
                      Count(options.syslog.size(), "syslog receiver"));
}

}  // namespace

absl::StatusOr<std::vector<AlertSinkEntry>> BuildAlertSinks(const AlertingOptions& alerting) {
  std::vector<AlertSinkEntry> sinks;
  for (const WebhookOptions& webhook : alerting.webhooks) {
    sinks.push_back({std::make_unique<WebhookSink>(webhook),
                     {.max_attempts = webhook.max_attempts,
                      .initial_backoff = webhook.initial_backoff,
                      .max_backoff = webhook.max_backoff}});
  }
  for (int i = 0; i < static_cast<int>(alerting.syslog.size()); ++i) {
    absl::StatusOr<SyslogSinkOptions> syslog =
        SyslogSinkOptionsFromConfig(alerting.syslog[i], i + 1);
    if (!syslog.ok()) return syslog.status();
    sinks.push_back({std::make_unique<SyslogSink>(*std::move(syslog)), DeliveryPolicy{}});
  }
  return sinks;
}

absl::StatusOr<std::unique_ptr<LiveAlerting>> LiveAlerting::Start(
    EvidenceStore& store, LiveScorer& scorer, const Registry& registry, const Catalog& catalog,
    Clock& clock, const AlertingOptions& options) {
  std::unique_ptr<LiveAlerting> alerting(new LiveAlerting(store, scorer, registry, catalog, clock));
  absl::StatusOr<std::vector<AlertSinkEntry>> sinks = BuildAlertSinks(options);
  if (!sinks.ok()) return sinks.status();
  absl::MutexLock lock(&alerting->mu_);
  absl::StatusOr<std::unique_ptr<AlertEngine>> engine =
      alerting->StartEngine(options, *std::move(sinks), std::nullopt);
  if (!engine.ok()) return engine.status();
  alerting->engine_ = *std::move(engine);
  alerting->options_ = options;
  return alerting;
}

LiveAlerting::~LiveAlerting() {
  absl::MutexLock lock(&mu_);
  engine_.reset();
}

absl::StatusOr<std::unique_ptr<AlertEngine>> LiveAlerting::StartEngine(
    const AlertingOptions& options, std::vector<AlertSinkEntry> sinks,
    std::optional<AgentSilenceBaseline> baseline) {
  if (!options.enabled()) return nullptr;
  absl::StatusOr<std::unique_ptr<AlertEngine>> engine = AlertEngine::Start(
      store_, scorer_, registry_, catalog_, clock_, options, std::move(sinks), std::move(baseline));
  if (!engine.ok()) return engine.status();
  absl::MutexLock lock(&sources_mu_);
  (*engine)->SetSources(sources_);
  return engine;
}

void LiveAlerting::SetSources(AlertSources sources) {
  {
    absl::MutexLock lock(&sources_mu_);
    sources_ = sources;
  }
  absl::ReaderMutexLock lock(&mu_);
  if (engine_ != nullptr) engine_->SetSources(std::move(sources));
}

absl::StatusOr<std::string> LiveAlerting::Replace(const AlertingOptions& options) {
  absl::StatusOr<std::vector<AlertSinkEntry>> sinks = BuildAlertSinks(options);
  if (!sinks.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("alerting not reloaded, the running rules stay: ", sinks.status().message()));
  }
  absl::MutexLock lock(&mu_);
  std::optional<AgentSilenceBaseline> baseline;
  if (engine_ != nullptr) baseline = engine_->SilenceBaseline();
  engine_.reset();  // Stops it: its outbox and firing alerts are in the store.
  absl::StatusOr<std::unique_ptr<AlertEngine>> engine =
      StartEngine(options, *std::move(sinks), baseline);
  if (engine.ok()) {
    engine_ = *std::move(engine);
    options_ = options;
    return absl::StrCat(Describe(options), " (reloaded)");
  }
  LOG(ERROR) << "alerting: the new rules did not start (" << engine.status()
             << "); starting the previous ones again";
  absl::StatusOr<std::vector<AlertSinkEntry>> old_sinks = BuildAlertSinks(options_);
  if (old_sinks.ok()) {
    absl::StatusOr<std::unique_ptr<AlertEngine>> old =
        StartEngine(options_, *std::move(old_sinks), std::move(baseline));
    if (old.ok()) engine_ = *std::move(old);
  }
  if (engine_ == nullptr && options_.enabled()) {
    LOG(ERROR) << "alerting: the previous rules did not start again either; alerting is off "
                  "until the next reload or start";
  }
  return absl::FailedPreconditionError(
      absl::StrCat("alerting not reloaded: ", engine.status().message()));
}

bool LiveAlerting::WebhookSecretsDiffer(const AlertingOptions& options) const {
  absl::ReaderMutexLock lock(&mu_);
  for (const WebhookOptions& next : options.webhooks) {
    for (const WebhookOptions& running : options_.webhooks) {
      if (running.name == next.name && running.secret != next.secret) return true;
    }
  }
  return false;
}

void LiveAlerting::OnBatchesCommitted(const std::vector<std::string>& agent_ids) {
  absl::ReaderMutexLock lock(&mu_);
  if (engine_ != nullptr) engine_->OnBatchesCommitted(agent_ids);
}

void LiveAlerting::OnSequenceConflict(const AgentConflict& conflict) {
  absl::ReaderMutexLock lock(&mu_);
  if (engine_ != nullptr) engine_->OnSequenceConflict(conflict);
}

std::optional<AlertingStats> LiveAlerting::Stats() const {
  absl::ReaderMutexLock lock(&mu_);
  if (engine_ == nullptr) return std::nullopt;
  return engine_->Stats();
}

void LiveAlerting::EvaluateNow() {
  absl::ReaderMutexLock lock(&mu_);
  if (engine_ != nullptr) engine_->EvaluateNow();
}

}  // namespace postura::collector
