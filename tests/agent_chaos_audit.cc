#include "tests/agent_chaos_audit.h"

#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "agent/delivery/spool.h"
#include "collector/store/evidence_store.h"
#include "common/transport/grpc_status.h"
#include "google/protobuf/util/field_comparator.h"
#include "google/protobuf/util/message_differencer.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/testing/collector_client.h"

namespace postura::test {
namespace {

constexpr std::size_t kMaxProblemLines = 40;

// What the audit gathers from the evidence log in one pass.
struct LogContents {
  uint64_t records = 0;
  // agent -> batch sequence -> the indices of its stored items.
  std::map<std::string, std::map<uint64_t, std::vector<uint32_t>>> batches;
  // (agent, asset, outcome, check, observed_at) -> copies: one item of one check run.
  std::map<std::tuple<std::string, std::string, std::string, std::string, int64_t>, int> copies;
  // (asset, outcome, agent, check) -> its latest record: what the state should hold.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, v1::StoredEvidence>
      latest;
};

void Note(StoreAudit& audit, std::string problem) {
  if (audit.problems.size() < kMaxProblemLines) {
    audit.problems.push_back(std::move(problem));
  } else if (audit.problems.size() == kMaxProblemLines) {
    audit.problems.push_back("(further problems not listed)");
  }
}

void Collect(const v1::StoredEvidence& record, LogContents& log) {
  const v1::Evidence& item = record.evidence();
  ++log.records;
  log.batches[record.agent_id()][record.sequence()].push_back(record.index());
  ++log.copies[{record.agent_id(), item.asset_id(), item.outcome_id(), item.check_id(),
                item.observed_at_unix_nanos()}];
  v1::StoredEvidence& latest =
      log.latest[{item.asset_id(), item.outcome_id(), record.agent_id(), item.check_id()}];
  if (!latest.has_evidence() ||
      std::make_pair(item.observed_at_unix_nanos(), record.sequence()) >
          std::make_pair(latest.evidence().observed_at_unix_nanos(), latest.sequence())) {
    latest = record;
  }
}

// The agent's batches in the log against its spool's numbering.
void CheckBatches(const SpoolWitness& witness,
                  const std::map<uint64_t, std::vector<uint32_t>>& stored, int items_per_batch,
                  StoreAudit& audit) {
  const std::string& agent = witness.agent_id;
  for (uint64_t sequence = 1; sequence <= witness.last_sequence; ++sequence) {
    if (stored.contains(sequence)) continue;
    ++audit.batches_missing;
    Note(audit, absl::StrCat(agent, ": batch ", sequence, " of 1..", witness.last_sequence,
                             " is not stored"));
  }
  for (const auto& [sequence, indices] : stored) {
    if (sequence == 0 || sequence > witness.last_sequence) {
      Note(audit, absl::StrCat(agent, ": batch ", sequence, " is stored, but the agent numbered ",
                               "only 1..", witness.last_sequence));
    }
    std::set<uint32_t> distinct(indices.begin(), indices.end());
    const bool whole = static_cast<int>(indices.size()) == items_per_batch &&
                       distinct.size() == indices.size() &&
                       *distinct.rbegin() == static_cast<uint32_t>(items_per_batch - 1);
    if (!whole) {
      Note(audit, absl::StrCat(agent, ": batch ", sequence, " holds ", indices.size(), " records (",
                               distinct.size(), " distinct indices); a batch is ", items_per_batch,
                               " items"));
    }
  }
}

// The agent's spool and its progress in the store.
void CheckAgent(const SpoolWitness& witness, const collector::AgentProgress* progress,
                uint64_t records, StoreAudit& audit) {
  const std::string& agent = witness.agent_id;
  if (witness.pending_batches != 0) {
    Note(audit, absl::StrCat(agent, ": its spool still holds ", witness.pending_batches,
                             " unacknowledged batches"));
  }
  if (witness.dropped_items != 0 || witness.has_set_aside) {
    Note(audit, absl::StrCat(agent, ": its spool dropped ", witness.dropped_items,
                             " items or set batches aside (rejected/)"));
  }
  if (progress == nullptr) {
    Note(audit, absl::StrCat(agent, ": no progress stored"));
    return;
  }
  if (progress->last_sequence != witness.last_sequence) {
    Note(audit, absl::StrCat(agent, ": stored progress names batch ", progress->last_sequence,
                             ", the spool numbered up to ", witness.last_sequence));
  }
  if (progress->items_stored != records) {
    Note(audit, absl::StrCat(agent, ": stored progress counts ", progress->items_stored,
                             " items, the log holds ", records));
  }
  if (progress->items_stored > records)
    audit.items_stored_twice += progress->items_stored - records;
  if (progress->dropped_items_total != 0) {
    Note(audit, absl::StrCat(agent, ": reported ", progress->dropped_items_total, " dropped"));
  }
}

// Every source's state is its latest record in the log, and every source has a state.
void CheckState(const collector::EvidenceStore& store, const LogContents& log, StoreAudit& audit) {
  std::size_t states = 0;
  absl::Status read = store.ForEachState([&](const v1::SourceState& state) {
    ++states;
    audit.state_expiries_unix_nanos.push_back(state.expires_at_unix_nanos());
    auto latest =
        log.latest.find({state.asset_id(), state.outcome_id(), state.agent_id(), state.check_id()});
    if (latest == log.latest.end()) {
      Note(audit, absl::StrCat("state of ", state.asset_id(), "/", state.outcome_id(), " by ",
                               state.agent_id(), " has no record in the log"));
      return;
    }
    const v1::StoredEvidence& record = latest->second;
    if (state.sequence() != record.sequence() || state.index() != record.index() ||
        state.level() != record.evidence().level() ||
        state.observed_at_unix_nanos() != record.evidence().observed_at_unix_nanos() ||
        state.expires_at_unix_nanos() != record.evidence().expires_at_unix_nanos()) {
      Note(audit,
           absl::StrCat("state of ", state.asset_id(), "/", state.outcome_id(), " by ",
                        state.agent_id(), " is batch ", state.sequence(), " #", state.index(),
                        "; its latest record is batch ", record.sequence(), " #", record.index()));
    }
  });
  if (!read.ok()) Note(audit, absl::StrCat("reading the state: ", read.ToString()));
  if (states != log.latest.size()) {
    Note(audit, absl::StrCat(states, " sources have a state; the log has ", log.latest.size()));
  }
}

}  // namespace

absl::StatusOr<SpoolWitness> ReadSpoolWitness(const std::string& agent_id,
                                              const std::string& spool_directory) {
  agent::SpoolOptions options;
  options.directory = spool_directory;
  absl::StatusOr<std::unique_ptr<agent::Spool>> spool = agent::Spool::Open(options);
  if (!spool.ok()) return spool.status();
  SpoolWitness witness;
  witness.agent_id = agent_id;
  witness.last_sequence = (*spool)->next_sequence() - 1;
  witness.acknowledged = (*spool)->acknowledged();
  witness.pending_batches = (*spool)->pending_batches();
  witness.dropped_items = (*spool)->dropped_items_total();
  witness.has_set_aside = std::filesystem::exists(spool_directory + "/rejected");
  return witness;
}

StoreAudit AuditStore(const std::string& store_path, const std::vector<SpoolWitness>& witnesses,
                      int items_per_batch) {
  StoreAudit audit;
  absl::StatusOr<std::unique_ptr<collector::EvidenceStore>> store =
      collector::EvidenceStore::Open({.path = store_path,
                                      .retention = collector::EvidenceStoreOptions().retention,
                                      .clock = &Clock::GetRealClock(),
                                      .env = nullptr});
  if (!store.ok()) {
    Note(audit, absl::StrCat("cannot open the store: ", store.status().ToString()));
    return audit;
  }
  LogContents log;
  if (absl::Status s = (*store)->ForEachEvidence(
          [&](const v1::StoredEvidence& record) { Collect(record, log); });
      !s.ok()) {
    Note(audit, absl::StrCat("reading the evidence log: ", s.ToString()));
  }
  audit.items_stored = log.records;
  absl::StatusOr<std::vector<std::pair<std::string, collector::AgentProgress>>> progress =
      (*store)->LoadProgress();
  if (!progress.ok()) Note(audit, absl::StrCat("reading progress: ", progress.status().ToString()));
  std::map<std::string, collector::AgentProgress> progress_by_agent;
  if (progress.ok()) progress_by_agent.insert(progress->begin(), progress->end());

  std::set<std::string> known;
  for (const SpoolWitness& witness : witnesses) {
    known.insert(witness.agent_id);
    audit.items_created += witness.last_sequence * static_cast<uint64_t>(items_per_batch);
    const auto& stored = log.batches[witness.agent_id];
    uint64_t records = 0;
    for (const auto& [sequence, indices] : stored) records += indices.size();
    CheckBatches(witness, stored, items_per_batch, audit);
    auto found = progress_by_agent.find(witness.agent_id);
    CheckAgent(witness, found == progress_by_agent.end() ? nullptr : &found->second, records,
               audit);
  }
  for (const auto& [agent, batches] : log.batches) {
    if (!known.contains(agent)) Note(audit, absl::StrCat("evidence of unknown agent ", agent));
  }
  for (const auto& [item, copies] : log.copies) {
    if (copies == 1) continue;
    audit.items_stored_twice += copies - 1;
    Note(audit, absl::StrCat(std::get<0>(item), ": the item of ", std::get<3>(item), " on ",
                             std::get<1>(item), "/", std::get<2>(item), " observed at ",
                             std::get<4>(item), " is stored ", copies, " times"));
  }
  CheckState(**store, log, audit);
  return audit;
}

absl::StatusOr<ScoreReading> ReadScores(const std::string& address, const CollectorTrust& admin,
                                        const std::vector<std::string>& asset_ids) {
  auto query = v1::QueryService::NewStub(FreshChannel(address, admin));
  auto deadline = [] { return absl::ToChronoTime(absl::Now() + absl::Seconds(10)); };
  ScoreReading reading;
  reading.taken_at = absl::Now();
  for (const std::string& asset : asset_ids) {
    grpc::ClientContext context;
    context.set_deadline(deadline());
    v1::GetAssetScoreRequest request;
    request.set_asset_id(asset);
    v1::AssetScore& score = reading.assets.emplace_back();
    if (grpc::Status s = query->GetAssetScore(&context, request, &score); !s.ok()) {
      return FromGrpcStatus(s);
    }
  }
  grpc::ClientContext context;
  context.set_deadline(deadline());
  if (grpc::Status s = query->GetOrganizationScore(&context, {}, &reading.organization); !s.ok()) {
    return FromGrpcStatus(s);
  }
  return reading;
}

std::string ScoreDifferences(const ScoreReading& a, const ScoreReading& b) {
  if (a.assets.size() != b.assets.size()) return "different numbers of assets";
  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_float_comparison(google::protobuf::util::DefaultFieldComparator::APPROXIMATE);
  comparator.SetDefaultFractionAndMargin(1e-9, 1e-9);
  std::string differences;
  {
    // The reporter writes `differences` out when the differencer goes.
    google::protobuf::util::MessageDifferencer differencer;
    differencer.set_field_comparator(&comparator);
    differencer.ReportDifferencesToString(&differences);
    for (std::size_t i = 0; i < a.assets.size(); ++i) differencer.Compare(a.assets[i], b.assets[i]);
    differencer.Compare(a.organization, b.organization);
  }
  return differences;
}

}  // namespace postura::test
