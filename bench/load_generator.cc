#include "bench/load_generator.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/model/catalog.h"
#include "common/transport/call_watchdog.h"
#include "common/transport/grpc_status.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "tests/testing/collector_client.h"

namespace postura::bench {

std::string LoadAgentId(int i) { return absl::StrCat("load-agent-", i); }
std::string LoadAssetId(int i) { return absl::StrCat("load-asset-", i); }

namespace {

std::shared_ptr<grpc::Channel> AgentChannel(const LoadOptions& options, int agent,
                                            const std::string& target) {
  grpc::ChannelArguments args;
  // A distinct argument keeps channels from sharing one connection: one host per agent.
  args.SetInt("postura.load_agent", agent);
  CollectorTrust trust{.ca_certificate_pem = options.admin.ca_certificate_pem,
                       .token = options.agent_credentials.at(agent)};
  return CreateCollectorChannel(target, trust, args);
}

// One simulated agent. Its thread writes; a reader thread per connection takes Acks.
class SimulatedAgent {
 public:
  SimulatedAgent(const LoadOptions& options, int index, absl::Time end, absl::Time deadline)
      : options_(options),
        index_(index),
        end_(end),
        deadline_(deadline),
        random_(options.seed * 7919 + index),
        channel_(AgentChannel(options, index, options.target)),
        stub_(v1::IngestService::NewStub(channel_)) {
    result_.agent_id = LoadAgentId(index);
    const std::vector<int>& outcomes =
        Catalog::Builtin().model(ImplementationGroup::kIG1).applicable_outcomes();
    for (int o : outcomes) outcome_ids_.push_back(Catalog::Builtin().outcomes()[o].id);
    for (int a = 0; a < options.assets_per_agent; ++a) {
      asset_ids_.push_back(LoadAssetId(options.assets_per_agent * index + a));
    }
    if (options.random_items) last_level_.assign(asset_ids_.size() * outcome_ids_.size(), 0);
  }

  void Run() {
    while (absl::Now() < deadline_) {
      if (RunConnection()) return;
      // Kept out (a full collector) until its time ended, it has nothing left to deliver.
      if (DoneGenerating() && unacked_.empty()) return;
      ++result_.reconnects;
      if (dropped_on_purpose_) continue;  // Reconnect at once, racing the old stream.
      MoveToNextTarget();
      std::uniform_int_distribution<int> jitter(20, 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random_) * backoff_));
      backoff_ = std::min(backoff_ * 2, 8);
    }
    completed_ = false;
  }

  AgentResult& result() { return result_; }

  // With fallback targets, the next one in turn (as a real agent fails over).
  void MoveToNextTarget() {
    if (options_.fallback_targets.empty()) return;
    target_ = (target_ + 1) % (options_.fallback_targets.size() + 1);
    channel_ = AgentChannel(
        options_, index_, target_ == 0 ? options_.target : options_.fallback_targets[target_ - 1]);
    stub_ = v1::IngestService::NewStub(channel_);
  }
  std::vector<double>& latencies() { return latencies_; }
  uint64_t acknowledged_records() const { return acknowledged_records_; }
  absl::Time last_acknowledged_at() const { return last_acknowledged_at_; }
  bool completed() const { return completed_; }

 private:
  struct Sent {
    std::shared_ptr<const v1::AgentMessage> message;  // Shared so writes need no lock.
    absl::Time sent_at;
  };

  bool DoneGenerating() const {
    if (options_.batches_per_agent > 0) return next_sequence_ > options_.batches_per_agent;
    return absl::Now() >= end_;
  }

  v1::AgentMessage MakeBatch() {
    v1::AgentMessage message;
    v1::Batch& batch = *message.mutable_batch();
    batch.set_sequence(next_sequence_++);
    const absl::Time now = absl::Now();
    for (int i = 0; i < options_.items_per_batch; ++i) {
      v1::Evidence& item = *batch.add_items();
      if (options_.random_items) {
        SetRandomTarget(item);
      } else {
        // One check per outcome, as an agent's checks are; its level moves on every 16th
        // batch (up three times, then down), so scoring sees raises, lowers and repeats.
        const size_t outcome = (batch.sequence() * 31 + i) % outcome_ids_.size();
        item.set_asset_id(asset_ids_[i % asset_ids_.size()]);
        item.set_outcome_id(outcome_ids_[outcome]);
        item.set_level(static_cast<v1::Level>(1 + (outcome + batch.sequence() / 16) % 4));
        item.set_check_id(absl::StrCat("load.", outcome_ids_[outcome]));
      }
      item.set_observed_at_unix_nanos(absl::ToUnixNanos(now));
      item.set_expires_at_unix_nanos(absl::ToUnixNanos(now + absl::Minutes(30)));
      item.set_kind(v1::OBSERVED);
      item.set_detail(std::string(options_.detail_bytes, 'd'));
    }
    return message;
  }

  // A random asset and outcome of the agent's, at a level other than the last one sent.
  void SetRandomTarget(v1::Evidence& item) {
    std::uniform_int_distribution<size_t> asset(0, asset_ids_.size() - 1);
    std::uniform_int_distribution<size_t> outcome(0, outcome_ids_.size() - 1);
    std::uniform_int_distribution<int> any_level(1, 4), step(1, 3);
    const size_t a = asset(random_), o = outcome(random_);
    uint8_t& last = last_level_[a * outcome_ids_.size() + o];
    // Levels are 1..4 on the wire; a step of 1..3 modulo 4 never yields the last one.
    last =
        static_cast<uint8_t>(last == 0 ? any_level(random_) : 1 + (last - 1 + step(random_)) % 4);
    item.set_asset_id(asset_ids_[a]);
    item.set_outcome_id(outcome_ids_[o]);
    item.set_level(static_cast<v1::Level>(last));
    item.set_check_id(absl::StrCat("load.", outcome_ids_[o]));
  }

  // Marks everything up to `sequence` (Welcome) or exactly `sequence` (Ack) as durable.
  void Acknowledge(uint64_t sequence, bool up_to) {
    const absl::Time now = absl::Now();
    auto first = up_to ? unacked_.begin() : unacked_.find(sequence);
    auto last = up_to ? unacked_.upper_bound(sequence)
                      : (first == unacked_.end() ? first : std::next(first));
    if (first != last) last_acknowledged_at_ = now;
    for (auto it = first; it != last; ++it) {
      result_.acknowledged.push_back(it->first);
      acknowledged_records_ += it->second.message->batch().items_size();
      if (!up_to) latencies_.push_back(absl::ToDoubleMilliseconds(now - it->second.sent_at));
    }
    unacked_.erase(first, last);
  }

  // One connection: Hello, resend what is unacknowledged, then new batches. True when the
  // agent is done; false to reconnect.
  bool RunConnection() {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(deadline_));
    // As the agent's uploader (agent/uploader.cc): wait for the channel, which drives its
    // reconnection; a Hello not answered in time is given up and retried.
    context.set_wait_for_ready(true);
    CallWatchdog watchdog(context, absl::Seconds(10));
    auto stream = stub_->Report(&context);
    v1::AgentMessage hello;
    hello.mutable_hello()->set_agent_id(result_.agent_id);
    v1::CollectorMessage reply;
    if (!stream->Write(hello) || !stream->Read(&reply) || !reply.has_welcome()) {
      NoteEnd(stream->Finish());
      return false;
    }
    watchdog.Disarm();
    backoff_ = 1;
    dropped_on_purpose_ = false;
    const uint32_t window = std::max<uint32_t>(1, reply.welcome().max_unacknowledged_batches());
    bool broken = false;
    {
      std::lock_guard lock(mu_);
      const uint64_t stored = reply.welcome().last_stored_sequence();
      Acknowledge(stored, /*up_to=*/true);
      if (options_.resume_sequences) next_sequence_ = std::max(next_sequence_, stored + 1);
    }
    std::thread reader([&] {
      v1::CollectorMessage message;
      while (stream->Read(&message)) {
        if (!message.has_ack()) continue;
        std::lock_guard lock(mu_);
        Acknowledge(message.ack().sequence(), /*up_to=*/false);
        changed_.notify_all();
      }
      std::lock_guard lock(mu_);
      broken = true;
      changed_.notify_all();
    });

    bool done = false;
    std::unique_lock lock(mu_);
    // Resend what is unacknowledged, oldest first; Welcome told us what is already stored.
    std::vector<std::shared_ptr<const v1::AgentMessage>> resend;
    for (auto& [sequence, sent] : unacked_) {
      sent.sent_at = absl::Now();
      resend.push_back(sent.message);
    }
    lock.unlock();
    for (const auto& message : resend) {
      ++result_.batches_sent;
      if (!stream->Write(*message)) break;
    }
    lock.lock();
    std::uniform_real_distribution<double> coin(0, 1);
    while (!broken) {
      changed_.wait(lock, [&] { return broken || unacked_.size() < window || DoneGenerating(); });
      if (broken) break;
      if (DoneGenerating()) {
        if (unacked_.empty()) {
          done = true;
          break;
        }
        changed_.wait_for(lock, std::chrono::milliseconds(50));
        continue;
      }
      lock.unlock();
      Pace();
      auto message = std::make_shared<const v1::AgentMessage>(MakeBatch());
      lock.lock();
      unacked_[message->batch().sequence()] = {message, absl::Now()};
      ++result_.batches_sent;
      lock.unlock();
      const bool written = stream->Write(*message);
      lock.lock();
      if (!written) break;
      if (options_.drop_probability > 0 && coin(random_) < options_.drop_probability) {
        dropped_on_purpose_ = true;
        break;
      }
    }
    lock.unlock();
    if (done) {
      stream->WritesDone();
    } else {
      context.TryCancel();
    }
    reader.join();
    NoteEnd(stream->Finish());
    return done;
  }

  void NoteEnd(const grpc::Status& status) {
    if (status.ok()) return;
    result_.last_error = FromGrpcStatus(status).ToString();
  }

  // Spaces batches so that all agents together offer options_.records_per_second.
  void Pace() {
    if (options_.records_per_second <= 0) return;
    const double batches_per_second =
        options_.records_per_second / options_.items_per_batch / options_.agents;
    const absl::Duration interval = absl::Seconds(1 / batches_per_second);
    if (next_send_ == absl::InfinitePast()) {
      std::uniform_real_distribution<double> phase(0, 1);
      next_send_ = absl::Now() + interval * phase(random_);
    }
    const absl::Duration wait = next_send_ - absl::Now();
    if (wait > absl::ZeroDuration()) std::this_thread::sleep_for(absl::ToChronoNanoseconds(wait));
    next_send_ += interval;
  }

  const LoadOptions& options_;
  const int index_;
  const absl::Time end_, deadline_;
  std::mt19937 random_;
  size_t target_ = 0;  // 0: options_.target; i: fallback_targets[i - 1].
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
  std::vector<std::string> outcome_ids_;
  std::vector<std::string> asset_ids_;
  std::vector<uint8_t> last_level_;  // Wire level last sent, by asset and outcome; 0: none.
  int backoff_ = 1;
  bool dropped_on_purpose_ = false;
  absl::Time next_send_ = absl::InfinitePast();

  std::mutex mu_;
  std::condition_variable changed_;
  uint64_t next_sequence_ = 1;
  std::map<uint64_t, Sent> unacked_;
  AgentResult result_;
  bool completed_ = true;
  std::vector<double> latencies_;
  uint64_t acknowledged_records_ = 0;
  absl::Time last_acknowledged_at_ = absl::InfinitePast();
};

}  // namespace

absl::Status RegisterLoadAgents(LoadOptions& options) {
  auto admin = v1::AdminService::NewStub(CreateCollectorChannel(options.target, options.admin));
  options.agent_credentials.clear();
  for (int i = 0; i < options.agents; ++i) {
    std::vector<std::string> asset_ids;
    for (int a = options.assets_per_agent * i; a < options.assets_per_agent * (i + 1); ++a) {
      v1::PutAssetRequest asset;
      asset.mutable_asset()->set_id(LoadAssetId(a));
      asset.mutable_asset()->set_name(absl::StrCat("Load asset ", a));
      asset.mutable_asset()->set_implementation_group(
          static_cast<v1::ImplementationGroup>(1 + a % 3));
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
      v1::PutAssetResponse response;
      if (grpc::Status s = admin->PutAsset(&context, asset, &response); !s.ok()) {
        return FromGrpcStatus(s);
      }
      asset_ids.push_back(LoadAssetId(a));
    }
    absl::StatusOr<CollectorTrust> agent =
        test::EnrollAgent(options.target, options.admin, LoadAgentId(i), asset_ids);
    if (!agent.ok()) return agent.status();
    options.agent_credentials.push_back(std::move(agent->token));
  }
  return absl::OkStatus();
}

LoadResult RunLoad(const LoadOptions& options) {
  const absl::Time start = absl::Now();
  std::vector<std::unique_ptr<SimulatedAgent>> agents;
  for (int i = 0; i < options.agents; ++i) {
    agents.push_back(std::make_unique<SimulatedAgent>(options, i, start + options.duration,
                                                      start + options.deadline));
  }
  std::vector<std::thread> threads;
  for (auto& agent : agents) threads.emplace_back([&agent] { agent->Run(); });
  for (std::thread& thread : threads) thread.join();

  LoadResult result;
  absl::Time last_acknowledged = absl::InfinitePast();
  for (auto& agent : agents) {
    last_acknowledged = std::max(last_acknowledged, agent->last_acknowledged_at());
    result.acknowledged_records += agent->acknowledged_records();
    result.reconnects += agent->result().reconnects;
    result.completed = result.completed && agent->completed();
    result.ack_latency_ms.insert(result.ack_latency_ms.end(), agent->latencies().begin(),
                                 agent->latencies().end());
    result.agents.push_back(std::move(agent->result()));
  }
  result.elapsed = (last_acknowledged > start ? last_acknowledged : absl::Now()) - start;
  return result;
}

double Quantile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t rank = std::min(values.size() - 1, static_cast<std::size_t>(q * values.size()));
  return values[rank];
}

}  // namespace postura::bench
