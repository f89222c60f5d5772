#include "tests/agent_chaos_fleet.h"

#include <array>
#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "agent/delivery/spool_files.h"
#include "postura/v1/admin.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/kill_plan.h"

namespace postura::test {
namespace {

std::string AgentId(int agent) { return absl::StrFormat("agent-%02d", agent); }

// Writes a fixture root for the `fast` pack (tests/testdata/agent/packs/fast.yaml) in
// which both its checks pass, or both fail.
void WriteRoot(const std::string& root, bool passing) {
  std::filesystem::create_directories(root + "/etc/ssh");
  std::ofstream(root + "/etc/ssh/sshd_config")
      << "PermitRootLogin " << (passing ? "no" : "yes") << "\nPasswordAuthentication no\n";
  std::ofstream(root + "/etc/passwd") << "root:x:0:0:root:/root:/bin/bash\n"
                                      << (passing ? "" : "toor:x:0:0:backdoor:/root:/bin/bash\n")
                                      << "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
}

// The last `count` lines of a log, to show why a run went wrong.
std::string LogTail(const std::string& path, std::size_t count) {
  std::ifstream file(path);
  std::deque<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    lines.push_back(line);
    if (lines.size() > count) lines.pop_front();
  }
  std::string tail;
  for (const std::string& line : lines) absl::StrAppend(&tail, "  ", line, "\n");
  return tail;
}

// Whether the agent's spool holds an unacknowledged batch: the spool deletes a segment
// file once everything in it is acknowledged and starts one when it has a batch to keep.
bool SpoolHoldsBatches(const std::string& spool_directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(spool_directory, error)) return false;
  return !agent::SegmentFiles(spool_directory).empty();
}

}  // namespace

ChaosFleet::ChaosFleet(std::string dir, int agents, std::string pack, absl::Duration check_interval)
    : dir_(std::move(dir)),
      pack_(std::move(pack)),
      check_interval_(check_interval),
      agents_(static_cast<std::size_t>(agents)),
      enrollment_tokens_(static_cast<std::size_t>(agents)) {
  WriteRoot(StrongRoot(), true);
  WriteRoot(WeakRoot(), false);
  for (int asset = 0; asset < (agents + 1) / 2; ++asset) {
    asset_ids_.push_back(absl::StrFormat("asset-%02d", asset));
  }
}

std::string ChaosFleet::AgentDir(int agent) const {
  return absl::StrCat(dir_, "/", AgentId(agent));
}

std::string ChaosFleet::LogPath(int agent) const {
  return AgentLogPath(AgentDir(agent), AgentId(agent));
}

AgentProcessOptions ChaosFleet::AgentOptions(int agent) const {
  const int asset = agent / 2;
  const bool short_lived = agent % 2 == 0;
  const bool weak = short_lived == (asset % 2 == 0);
  AgentProcessOptions options;
  options.agent_id = AgentId(agent);
  options.collector_address = address_;
  options.assets = {asset_ids_[asset]};
  options.pack = pack_;
  options.root = weak ? WeakRoot() : StrongRoot();
  options.ca_file = collector_dir() + "/data/tls/ca.crt";
  options.enrollment_token = enrollment_tokens_[agent];
  options.spool_dir = SpoolDir(agent);
  options.evidence_ttl_intervals = short_lived ? kShortLivedIntervals : kLongLivedIntervals;
  return options;
}

ChaosFleet::SettledOutcome ChaosFleet::Settled(int asset) const {
  const int long_lived = 2 * asset + 1;
  if (long_lived >= static_cast<int>(agents_.size())) return {v1::STALE, v1::DLI_0, ""};
  const bool passing = AgentOptions(long_lived).root == StrongRoot();
  return {v1::LIVE, passing ? v1::DLI_100 : v1::DLI_0, AgentId(long_lived)};
}

absl::Status ChaosFleet::StartCollector() {
  std::filesystem::create_directories(collector_dir());
  absl::StatusOr<std::unique_ptr<CollectorProcess>> collector = CollectorProcess::Start(
      POSTURA_COLLECTOR_BIN, collector_dir(), address_.empty() ? "127.0.0.1:0" : address_);
  if (!collector.ok()) return collector.status();
  collector_ = *std::move(collector);
  address_ = collector_->address();
  admin_ = collector_->admin();
  return absl::OkStatus();
}

absl::Status ChaosFleet::StartAgent(int agent) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      StartAgentProcess(POSTURA_AGENT_BIN, AgentDir(agent), AgentOptions(agent));
  if (!process.ok()) return process.status();
  agents_[agent] = *std::move(process);
  return absl::OkStatus();
}

absl::Status ChaosFleet::EnrollAndStartAgents() {
  for (std::size_t asset = 0; asset < asset_ids_.size(); ++asset) {
    const v1::ImplementationGroup group = std::array{v1::IG1, v1::IG2, v1::IG3}[asset % 3];
    if (absl::Status s = PutAsset(address_, admin_, asset_ids_[asset], group); !s.ok()) return s;
  }
  for (int agent = 0; agent < static_cast<int>(agents_.size()); ++agent) {
    absl::StatusOr<std::string> token =
        CreateEnrollmentToken(address_, admin_, {asset_ids_[agent / 2]});
    if (!token.ok()) return token.status();
    enrollment_tokens_[agent] = *std::move(token);
    if (absl::Status s = StartAgent(agent); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::vector<uint64_t> ChaosFleet::StoredSequences() const {
  auto admin = v1::AdminService::NewStub(FreshChannel(address_, admin_));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::ListAgentsResponse response;
  if (!admin->ListAgents(&context, {}, &response).ok()) return {};
  std::vector<uint64_t> stored(agents_.size(), 0);
  for (const v1::Agent& agent : response.agents()) {
    for (std::size_t i = 0; i < agents_.size(); ++i) {
      if (agent.id() == AgentId(static_cast<int>(i))) stored[i] = agent.last_stored_sequence();
    }
  }
  return stored;
}

absl::Status ChaosFleet::WaitUntilEveryAgentDelivered(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<uint64_t> stored;
  while (absl::Now() < deadline) {
    stored = StoredSequences();
    if (!stored.empty() && std::find(stored.begin(), stored.end(), 0) == stored.end()) {
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  std::string silent;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    if (stored[i] == 0) absl::StrAppend(&silent, " ", AgentId(static_cast<int>(i)));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("after ", absl::FormatDuration(timeout), " nothing stored of:", silent,
                   stored.empty() ? " (the collector does not answer)" : "",
                   "\nfirst agent's log:\n", LogTail(LogPath(0), 20)));
}

absl::Status ChaosFleet::Kill(int victim) {
  if (victim == kCollectorVictim) {
    if (collector_ == nullptr) return absl::FailedPreconditionError("the collector is down");
    collector_->Kill();
    collector_.reset();
    ++collector_kills_;
    return absl::OkStatus();
  }
  if (agents_[victim] == nullptr) {
    return absl::FailedPreconditionError(AgentId(victim) + " is down");
  }
  agents_[victim]->Signal(SIGKILL);
  agents_[victim]->Wait();
  agents_[victim].reset();
  ++agent_kills_;
  return absl::OkStatus();
}

absl::Status ChaosFleet::Restart(int victim) {
  return victim == kCollectorVictim ? StartCollector() : StartAgent(victim);
}

absl::StatusOr<bool> ChaosFleet::StopIfDrained(int agent, DrainResult& result) {
  agents_[agent]->Signal(SIGTERM);
  const int exit_status = agents_[agent]->Wait();
  agents_[agent].reset();
  if (exit_status != 0) {
    return absl::InternalError(absl::StrCat(AgentId(agent), " exited with ", exit_status,
                                            " on SIGTERM; its log ends:\n",
                                            LogTail(LogPath(agent), 20)));
  }
  absl::StatusOr<SpoolWitness> witness = ReadSpoolWitness(AgentId(agent), SpoolDir(agent));
  if (!witness.ok()) return witness.status();
  result.witnesses[agent] = *witness;
  result.last_stop = absl::Now();
  if (witness->pending_batches == 0) return true;
  // A check run came between the look and the stop: run it again to deliver that.
  ++result.restarts;
  if (absl::Status s = StartAgent(agent); !s.ok()) return s;
  return false;
}

absl::StatusOr<DrainResult> ChaosFleet::Drain(absl::Duration timeout) {
  DrainResult result;
  result.witnesses.resize(agents_.size());
  std::vector<bool> drained(agents_.size(), false);
  std::size_t remaining = agents_.size();
  const absl::Time deadline = absl::Now() + timeout;
  while (remaining > 0) {
    if (absl::Now() > deadline) return absl::DeadlineExceededError(DrainFailure(drained, timeout));
    for (std::size_t i = 0; i < agents_.size(); ++i) {
      const int agent = static_cast<int>(i);
      if (drained[i] || SpoolHoldsBatches(SpoolDir(agent))) {
        continue;
      }
      absl::StatusOr<bool> stopped = StopIfDrained(agent, result);
      if (!stopped.ok()) return stopped.status();
      if (*stopped) {
        drained[i] = true;
        --remaining;
      }
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return result;
}

std::string ChaosFleet::DrainFailure(const std::vector<bool>& drained,
                                     absl::Duration timeout) const {
  const std::vector<uint64_t> stored = StoredSequences();
  std::string message =
      absl::StrCat("after ", absl::FormatDuration(timeout), " these spools still hold batches:\n");
  int shown_logs = 0;
  for (std::size_t i = 0; i < agents_.size(); ++i) {
    if (drained[i]) continue;
    const std::vector<std::filesystem::path> segments =
        agent::SegmentFiles(SpoolDir(static_cast<int>(i)));
    absl::StrAppend(&message, AgentId(static_cast<int>(i)), ": ", segments.size(),
                    " segment files (oldest ",
                    segments.empty() ? "-" : segments.front().filename().string(),
                    "), collector stored through batch ",
                    stored.empty() ? "? (no answer)" : absl::StrCat(stored[i]), "\n");
    if (shown_logs++ < 2) {
      absl::StrAppend(&message, "its log ends:\n", LogTail(LogPath(static_cast<int>(i)), 15));
    }
  }
  absl::StrAppend(&message, "the collector's log ends:\n",
                  LogTail(collector_dir() + "/collector.log", 15));
  return message;
}

int ChaosFleet::StopCollector() { return collector_ == nullptr ? -1 : collector_->Stop(); }

absl::StatusOr<ScoreReading> ChaosFleet::ReadScoresOfAFreshCollector() {
  // On any free port: nothing should connect to it but the test.
  absl::StatusOr<std::unique_ptr<CollectorProcess>> fresh =
      CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir());
  if (!fresh.ok()) return fresh.status();
  absl::StatusOr<ScoreReading> reading = ReadScores((*fresh)->address(), admin_, asset_ids_);
  if (const int exit_status = (*fresh)->Stop(); exit_status != 0) {
    return absl::InternalError(absl::StrCat("the fresh collector exited with ", exit_status));
  }
  return reading;
}

}  // namespace postura::test
