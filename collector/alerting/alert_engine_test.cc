#include "collector/alerting/alert_engine.h"

#include <map>

#include "collector/alerting/webhook_sink.h"
#include "collector/alerting/webhook_test_receiver.h"
#include "collector/testing/test_evidence.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

namespace postura::collector {
namespace {

using test::WebhookTestReceiver;

const absl::Time kStart = absl::FromUnixSeconds(1'763'900'000);
const char kOutcome[] = "ID_AM_CSC_1_1";

// A sink that keeps what it is given, in order (the outbox and the engine are real).
class KeepingSink : public AlertSink {
 public:
  std::string name() const override { return "keeping"; }
  absl::Status Deliver(const v1::AlertTransition& transition) override {
    absl::MutexLock lock(&mu_);
    delivered_.push_back(transition);
    return absl::OkStatus();
  }
  // Waits until `count` transitions came; returns them.
  std::vector<v1::AlertTransition> WaitFor(size_t count) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return delivered_.size() >= count; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30));
    return delivered_;
  }

 private:
  absl::Mutex mu_;
  std::vector<v1::AlertTransition> delivered_ ABSL_GUARDED_BY(mu_);
};

AlertRuleOptions Rule(AlertKind kind, absl::Duration hold_down = absl::ZeroDuration()) {
  AlertRuleOptions rule;
  rule.kind = kind;
  rule.name = std::string(AlertKindName(kind));
  rule.hold_down = hold_down;
  return rule;
}

class AlertEngineTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = "/store", .clock = &clock_, .env = env_.get()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<Registry>> registry =
        Registry::Load(*store_, Catalog::Builtin());
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
    scorer_ = std::make_unique<LiveScorer>(*store_, Catalog::Builtin(), clock_);
    registry_->SetObserver(scorer_.get());
    ASSERT_TRUE(scorer_->Start().ok());
    // "web" must have kOutcome at 0.67 or more.
    ASSERT_TRUE(registry_->PutAsset(TestAsset("web")).ok());
    v1::Target target;
    target.set_scope(v1::SCOPE_OUTCOME);
    target.set_scope_id(kOutcome);
    target.set_operator_(v1::GREATER_OR_EQUAL);
    target.set_value(0.67);
    ASSERT_TRUE(registry_->PutTargets("web", {target}).ok());
    ASSERT_TRUE(registry_->PutAgent(TestAgent("host-a", {"web"})).ok());
  }

  void TearDown() override {
    engine_.reset();
    scorer_->Stop();
  }

  void StartEngine(std::vector<AlertRuleOptions> rules, std::unique_ptr<AlertSink> sink,
                   DeliveryPolicy policy = {}) {
    engine_.reset();
    options_.rules = std::move(rules);
    options_.evaluate_every = absl::Milliseconds(100);
    std::vector<AlertSinkEntry> sinks;
    sinks.push_back({std::move(sink), policy});
    absl::StatusOr<std::unique_ptr<AlertEngine>> engine = AlertEngine::Start(
        *store_, *scorer_, *registry_, Catalog::Builtin(), clock_, options_, std::move(sinks));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
  }

  // Stores one report as the ingest writer would and hands it to the scorer.
  void Report(v1::Level level, absl::Duration lifetime = absl::Hours(1)) {
    const std::string agent = "host-a";
    v1::Batch batch;
    batch.set_sequence(++sequence_);
    v1::Evidence& item = *batch.add_items();
    item = TestEvidence("web", kOutcome, clock_.TimeNow(), level);
    item.set_expires_at_unix_nanos(absl::ToUnixNanos(clock_.TimeNow() + lifetime));
    EncodedBatch encoded = EncodeBatch(agent, batch, {true}, clock_.TimeNow());
    ASSERT_TRUE(store_->Commit({{&agent, &encoded, {sequence_, 0, 1}}}).ok());
    std::vector<SourceUpdate> updates;
    for (EncodedBatch::Entry& entry : encoded.entries) {
      updates.push_back({std::move(entry.state_key), entry.level, entry.attested,
                         entry.observed_at_unix_nanos, entry.expires_at_unix_nanos});
    }
    scorer_->OnCommitted(std::move(updates));
    if (engine_) engine_->OnBatchesCommitted({agent});
  }

  // Lets scoring and then the engine catch up.
  void Settle() {
    scorer_->Flush();
    engine_->EvaluateNow();
  }

  // "<rule>:<state>" of each transition.
  static std::vector<std::string> Kinds(const std::vector<v1::AlertTransition>& transitions) {
    std::vector<std::string> kinds;
    for (const v1::AlertTransition& t : transitions) {
      kinds.push_back(absl::StrCat(t.rule(), ":", v1::AlertTransition::State_Name(t.state())));
    }
    return kinds;
  }

  FakeClock clock_{kStart};
  std::unique_ptr<rocksdb::Env> env_{rocksdb::NewMemEnv(rocksdb::Env::Default())};
  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<LiveScorer> scorer_;
  AlertingOptions options_;
  std::unique_ptr<AlertEngine> engine_;
  uint64_t sequence_ = 0;
};

TEST_F(AlertEngineTest, TargetMissedFiresAfterItsHoldDownAndResolvesOnce) {
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  StartEngine({Rule(AlertKind::kTargetMissed, absl::Minutes(1))}, std::move(sink));
  Report(v1::DLI_33);  // Below the target.
  Settle();
  EXPECT_EQ(engine_->Stats().firing_by_rule["target_missed"], 0u);  // Holding down.
  clock_.Advance(absl::Minutes(1));
  Settle();
  EXPECT_EQ(engine_->Stats().firing_by_rule["target_missed"], 1u);
  Report(v1::DLI_100);  // Meets it again.
  Settle();
  clock_.Advance(absl::Seconds(30));
  Report(v1::DLI_33);  // Flaps within the hold-down: no transition.
  Settle();
  Report(v1::DLI_100);
  Settle();
  clock_.Advance(absl::Minutes(1));
  Settle();
  const std::vector<v1::AlertTransition> delivered = kept.WaitFor(2);
  ASSERT_EQ(Kinds(delivered),
            (std::vector<std::string>{"target_missed:FIRING", "target_missed:RESOLVED"}));
  EXPECT_EQ(delivered[0].id(), "target_missed/asset/web");
  EXPECT_EQ(delivered[0].id(), delivered[1].id());
  EXPECT_EQ(delivered[0].asset_name(), "Asset web");
  EXPECT_EQ(delivered[0].condition_since_unix_nanos(), absl::ToUnixNanos(kStart));
  EXPECT_EQ(delivered[1].fired_at_unix_nanos(), delivered[0].at_unix_nanos());
  EXPECT_NE(delivered[0].idempotency_key(), delivered[1].idempotency_key());
  EXPECT_EQ(engine_->Stats().transitions_by_rule["target_missed"], 2u);
}

TEST_F(AlertEngineTest, AFiringAlertSurvivesARestartWithoutFiringTwice) {
  auto refusing = std::make_unique<WebhookSink>([] {
    WebhookOptions hook;
    hook.name = "keeping";                    // The same sink name as after the restart.
    hook.scheme_host = "http://127.0.0.1:1";  // Nobody listens: nothing is delivered.
    hook.path = "/";
    hook.timeout = absl::Milliseconds(200);
    return hook;
  }());
  StartEngine({Rule(AlertKind::kTargetMissed)}, std::move(refusing),
              {.initial_backoff = absl::Seconds(10), .max_backoff = absl::Seconds(10)});
  Report(v1::DLI_33);
  Settle();
  EXPECT_EQ(engine_->Stats().outbox_depth, 1u);
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  StartEngine({Rule(AlertKind::kTargetMissed)}, std::move(sink));  // As after a crash.
  Report(v1::DLI_33);  // Still missed: no second firing.
  Settle();
  EXPECT_EQ(engine_->Stats().firing_by_rule["target_missed"], 1u);
  Report(v1::DLI_100);
  Settle();
  const std::vector<v1::AlertTransition> delivered = kept.WaitFor(2);
  EXPECT_EQ(Kinds(delivered),
            (std::vector<std::string>{"target_missed:FIRING", "target_missed:RESOLVED"}));
}

TEST_F(AlertEngineTest, OutcomeLoweredOnlyFromFullAndEvidenceStale) {
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  AlertRuleOptions lowered = Rule(AlertKind::kOutcomeLowered);
  lowered.only_from_full = true;
  StartEngine({lowered, Rule(AlertKind::kEvidenceStale)}, std::move(sink));
  Report(v1::DLI_67);
  Report(v1::DLI_33);  // Not from full: nothing.
  Settle();
  Report(v1::DLI_100);
  Settle();
  Report(v1::DLI_33, absl::Minutes(10));  // From full: fires.
  Settle();
  std::vector<v1::AlertTransition> delivered = kept.WaitFor(1);
  ASSERT_EQ(Kinds(delivered), std::vector<std::string>{"outcome_lowered:FIRING"});
  EXPECT_EQ(delivered[0].outcome_id(), kOutcome);
  EXPECT_EQ(delivered[0].details().at("levelBefore"), "DLI_100");
  EXPECT_EQ(delivered[0].details().at("levelAfter"), "DLI_33");
  clock_.Advance(absl::Minutes(11));  // Its evidence expires.
  Settle();
  delivered = kept.WaitFor(2);
  ASSERT_EQ(Kinds(delivered),
            (std::vector<std::string>{"outcome_lowered:FIRING", "evidence_stale:FIRING"}));
  Report(v1::DLI_100);  // Live again, and back to full: both resolve.
  Settle();
  delivered = kept.WaitFor(4);
  EXPECT_EQ(Kinds(delivered),
            (std::vector<std::string>{"outcome_lowered:FIRING", "evidence_stale:FIRING",
                                      "outcome_lowered:RESOLVED", "evidence_stale:RESOLVED"}));
}

TEST_F(AlertEngineTest, AgentSilentFiresAfterSilentForAndResolvesOnABatch) {
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  AlertRuleOptions silent = Rule(AlertKind::kAgentSilent);
  silent.silent_for = absl::Minutes(10);
  StartEngine({silent}, std::move(sink));
  clock_.Advance(absl::Minutes(9));  // Counted from the engine's start.
  Settle();
  EXPECT_EQ(engine_->Stats().firing_by_rule["agent_silent"], 0u);
  clock_.Advance(absl::Minutes(1));
  Settle();
  Report(v1::DLI_100);
  Settle();
  const std::vector<v1::AlertTransition> delivered = kept.WaitFor(2);
  ASSERT_EQ(Kinds(delivered),
            (std::vector<std::string>{"agent_silent:FIRING", "agent_silent:RESOLVED"}));
  EXPECT_EQ(delivered[0].agent_id(), "host-a");
  EXPECT_EQ(delivered[0].id(), "agent_silent/agent/host-a");
}

TEST_F(AlertEngineTest, CredentialConflictFiresAtOnceAndResolvesAfterAQuietHour) {
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  StartEngine({Rule(AlertKind::kCredentialConflict)}, std::move(sink));
  Settle();
  EXPECT_EQ(engine_->Stats().firing_by_rule["credential_conflict"], 0u);
  engine_->OnSequenceConflict({.agent_id = "host-a",
                               .last_at = clock_.TimeNow(),
                               .peer = "ipv4:203.0.113.9:4000",
                               .sequence = 7,
                               .conflicts = 1});
  Settle();
  EXPECT_EQ(engine_->Stats().firing_by_rule["credential_conflict"], 1u);
  clock_.Advance(absl::Minutes(59));
  Settle();
  EXPECT_EQ(engine_->Stats().firing_by_rule["credential_conflict"], 1u);
  clock_.Advance(absl::Minutes(1));
  Settle();
  const std::vector<v1::AlertTransition> delivered = kept.WaitFor(2);
  ASSERT_EQ(Kinds(delivered), (std::vector<std::string>{"credential_conflict:FIRING",
                                                        "credential_conflict:RESOLVED"}));
  EXPECT_EQ(delivered[0].agent_id(), "host-a");
  EXPECT_EQ(delivered[0].details().at("peer"), "ipv4:203.0.113.9:4000");
  EXPECT_EQ(delivered[0].details().at("sequence"), "7");
}

TEST_F(AlertEngineTest, ARecentConflictInAnAgentsProgressFiresAfterARestart) {
  AgentProgress progress{3, 0, 3};
  progress.sequence_conflicts = 2;
  progress.last_conflict_unix_nanos = absl::ToUnixNanos(clock_.TimeNow() - absl::Minutes(10));
  const std::string agent = "host-a";
  const EncodedBatch nothing;
  ASSERT_TRUE(store_->Commit({{&agent, &nothing, progress}}).ok());
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  StartEngine({Rule(AlertKind::kCredentialConflict)}, std::move(sink));
  Settle();
  const std::vector<v1::AlertTransition> delivered = kept.WaitFor(1);
  ASSERT_EQ(Kinds(delivered), (std::vector<std::string>{"credential_conflict:FIRING"}));
  EXPECT_EQ(delivered[0].details().at("conflicts"), "2");
}

TEST_F(AlertEngineTest, FiltersLimitARuleToTheirAssets) {
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  AlertRuleOptions elsewhere = Rule(AlertKind::kTargetMissed);
  elsewhere.name = "finance-only";
  elsewhere.department_id = "finance";  // "web" has no department.
  AlertRuleOptions web = Rule(AlertKind::kTargetMissed);
  web.asset_ids = {"web"};
  StartEngine({elsewhere, web}, std::move(sink));
  Report(v1::DLI_33);
  Settle();
  EXPECT_EQ(Kinds(kept.WaitFor(1)), std::vector<std::string>{"target_missed:FIRING"});
  EXPECT_EQ(engine_->Stats().firing_by_rule["finance-only"], 0u);
}

TEST_F(AlertEngineTest, DeletingTheAssetResolvesItsAlerts) {
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  StartEngine({Rule(AlertKind::kTargetMissed)}, std::move(sink));
  Report(v1::DLI_33);
  Settle();
  ASSERT_TRUE(registry_->DeleteAgent("host-a").ok());
  ASSERT_TRUE(registry_->DeleteAsset("web").ok());
  Settle();
  EXPECT_EQ(Kinds(kept.WaitFor(2)),
            (std::vector<std::string>{"target_missed:FIRING", "target_missed:RESOLVED"}));
}

TEST_F(AlertEngineTest, AnAlertWhoseRuleLeftTheConfigResolvesAtTheNextStart) {
  auto first_sink = std::make_unique<KeepingSink>();
  KeepingSink& first = *first_sink;
  StartEngine({Rule(AlertKind::kTargetMissed)}, std::move(first_sink));
  Report(v1::DLI_33);
  Settle();
  ASSERT_EQ(engine_->Stats().firing_by_rule["target_missed"], 1u);
  // Delivered before the restart (else the restarted engine would deliver it first).
  ASSERT_EQ(Kinds(first.WaitFor(1)), std::vector<std::string>{"target_missed:FIRING"});
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  StartEngine({Rule(AlertKind::kEvidenceStale)}, std::move(sink));
  // The firing was delivered before the restart; only the resolve is new.
  const std::vector<v1::AlertTransition> delivered = kept.WaitFor(1);
  ASSERT_EQ(Kinds(delivered), std::vector<std::string>{"target_missed:RESOLVED"});
  EXPECT_NE(delivered[0].summary().find("no longer configured"), std::string::npos);
  EXPECT_EQ(engine_->Stats().firing_by_rule.count("target_missed"), 0u);
}

TEST_F(AlertEngineTest, AHangingReceiverDelaysNeitherScoringNorTheEngine) {
  std::unique_ptr<WebhookTestReceiver> receiver = WebhookTestReceiver::Start();
  ASSERT_NE(receiver, nullptr);
  receiver->Hang(true);
  absl::StatusOr<ParsedUrl> url = ParseWebhookUrl(receiver->url());
  ASSERT_TRUE(url.ok());
  WebhookOptions hook;
  hook.name = "hook";
  hook.scheme_host = url->scheme_host;
  hook.path = url->path;
  hook.secret = "s";
  hook.timeout = absl::Seconds(20);  // Far longer than the test may take.
  StartEngine({Rule(AlertKind::kTargetMissed)}, std::make_unique<WebhookSink>(hook));
  Report(v1::DLI_33);
  Settle();
  ASSERT_TRUE(receiver->WaitForRequests(0, absl::ZeroDuration()));
  // The delivery thread now waits on the receiver; scoring and alerting go on.
  const absl::Time start = absl::Now();
  for (int i = 0; i < 50; ++i) {
    Report(i % 2 ? v1::DLI_33 : v1::DLI_100);
    Settle();
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(engine_->Stats().transitions_by_rule["target_missed"], 51u);
  EXPECT_EQ(engine_->Stats().sinks["hook"].deliveries_ok, 0u);
  EXPECT_EQ(engine_->Stats().outbox_depth, 51u);
  receiver->Hang(false);
  EXPECT_TRUE(receiver->WaitForAccepted(51, absl::Seconds(60)));
}

// The evidence workflow's kinds: fire from the deadlines the source lists, resolve when
// their subject is dealt with (alert_workflow.h).
TEST_F(AlertEngineTest, WorkflowRulesFireAndResolveFromTheirSource) {
  absl::Mutex mu;
  std::vector<WorkflowDeadline> deadlines(2);
  deadlines[0].kind = AlertKind::kEvidenceRequestOverdue;
  deadlines[0].subject = "REQ-000001";
  deadlines[0].request_id = "REQ-000001";
  deadlines[0].owner = "supplier acme";
  deadlines[0].supplier_id = "acme";
  deadlines[0].at = kStart + absl::Hours(1);
  deadlines[0].pending = true;
  deadlines[1].kind = AlertKind::kExceptionExpiring;
  deadlines[1].subject = "EXC-000001";
  deadlines[1].exception_id = "EXC-000001";
  deadlines[1].asset_id = "web";
  deadlines[1].outcome_id = kOutcome;
  deadlines[1].at = kStart + absl::Hours(72);
  deadlines[1].pending = true;
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  AlertRuleOptions expiring = Rule(AlertKind::kExceptionExpiring);
  expiring.lead_time = absl::Hours(24);
  StartEngine({Rule(AlertKind::kEvidenceRequestOverdue), expiring}, std::move(sink));
  engine_->SetSources({.workflow = [&] {
    absl::MutexLock lock(&mu);
    return deadlines;
  }});
  engine_->EvaluateNow();
  EXPECT_TRUE(Kinds(kept.WaitFor(0)).empty());  // Neither is due yet.

  clock_.Advance(absl::Hours(2));
  engine_->EvaluateNow();
  std::vector<v1::AlertTransition> delivered = kept.WaitFor(1);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].id(), "evidence_request_overdue/workflow/REQ-000001");
  EXPECT_EQ(delivered[0].state(), v1::AlertTransition::FIRING);
  EXPECT_EQ(delivered[0].details().at("requestId"), "REQ-000001");
  EXPECT_EQ(delivered[0].supplier_id(), "acme");
  EXPECT_TRUE(delivered[0].asset_id().empty());
  EXPECT_NE(delivered[0].summary().find("open past its due date"), std::string::npos);

  clock_.Advance(absl::Hours(48));  // 22 hours before the exception ends.
  engine_->EvaluateNow();
  delivered = kept.WaitFor(2);
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(delivered[1].kind(), "exception_expiring");
  EXPECT_EQ(delivered[1].details().at("assetId"), "web");

  {
    absl::MutexLock lock(&mu);
    deadlines[0].pending = false;  // The request is complete.
    deadlines[1].pending = false;  // The exception was revoked.
  }
  engine_->EvaluateNow();
  EXPECT_EQ(Kinds(kept.WaitFor(4)),
            (std::vector<std::string>{
                "evidence_request_overdue:FIRING", "exception_expiring:FIRING",
                "evidence_request_overdue:RESOLVED", "exception_expiring:RESOLVED"}));
}

// sector_outcome_degraded fires for what the sector's view lists; an outcome it no longer
// lists resolves only once the view covers the whole window (alert_sector.h).
TEST_F(AlertEngineTest, SectorRulesFireFromTheViewAndResolveOnlyOnceItCoversTheWindow) {
  absl::Mutex mu;
  SectorDegradations degradations;
  degradations.outcomes.push_back(
      {.outcome_id = kOutcome, .organisations = {"health-north", "water"}, .latest_fall = kStart});
  auto sink = std::make_unique<KeepingSink>();
  KeepingSink& kept = *sink;
  StartEngine({Rule(AlertKind::kSectorOutcomeDegraded)}, std::move(sink));
  engine_->SetSources({.sector = [&] {
    absl::MutexLock lock(&mu);
    return degradations;
  }});
  engine_->EvaluateNow();
  std::vector<v1::AlertTransition> delivered = kept.WaitFor(1);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].id(), absl::StrCat("sector_outcome_degraded/sector/", kOutcome));
  EXPECT_EQ(delivered[0].state(), v1::AlertTransition::FIRING);
  EXPECT_EQ(delivered[0].outcome_id(), kOutcome);
  EXPECT_EQ(delivered[0].details().at("organisations"), "health-north,water");
  EXPECT_TRUE(delivered[0].asset_id().empty());

  {
    absl::MutexLock lock(&mu);
    degradations.outcomes.clear();  // The falls are no longer known: a restarted view.
  }
  engine_->EvaluateNow();
  EXPECT_EQ(engine_->Stats().firing_by_rule["sector_outcome_degraded"], 1u);
  {
    absl::MutexLock lock(&mu);
    degradations.whole_window = true;  // Now their absence is a fact.
  }
  engine_->EvaluateNow();
  EXPECT_EQ(Kinds(kept.WaitFor(2)), (std::vector<std::string>{"sector_outcome_degraded:FIRING",
                                                              "sector_outcome_degraded:RESOLVED"}));
  EXPECT_EQ(engine_->Stats().firing_by_rule["sector_outcome_degraded"], 0u);
}

}  // namespace
}  // namespace postura::collector
