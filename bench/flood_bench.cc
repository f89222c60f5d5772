// Floods against the collector while agents ingest (issue 22, item 4).
//
//   build/bin/flood_bench [--seconds 10] [--agents 100] [--collector build/bin/postura-collector]
//
// One postura-collector process and simulated agents (bench/load_generator.h, each with
// its own credential and channel) that ingest as fast as the collector's window allows,
// in three phases of --seconds each: quiet, flooded, quiet again. The flood comes from
// loopback addresses of its own (127.0.0.2 and up), so that the backoff it earns is its
// own and the agents on 127.0.0.1 keep theirs:
//  - 2,000 HTTPS requests with wrong bearer tokens, from 20 addresses, each on a new TLS
//    connection, as fast as they are answered;
//  - 500 idle TLS connections to the HTTPS port from 5 addresses, each opened again as
//    soon as the collector closes it;
//  - a slow-loris client: 32 connections from one address, each sending a header line
//    every 2 s, opened again when closed.
// Meanwhile an admin on 127.0.0.1 reads /api/v1/organization and the dashboard's page
// every 200 ms. Printed: the ingest rate flooded against the mean of the quiet phases
// (goal: at least 0.8), items acknowledged against items stored (goal: nothing lost), the
// admin's answers and slowest answer, and what the collector counted (/metrics).

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "bench/load_generator.h"
#include "postura/v1/admin.grpc.pb.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/held_tls.h"
#include "tests/testing/https_client.h"
#include "tests/testing/temp_dir.h"

namespace postura::bench {
namespace {

using test::HeldTlsConnection;

constexpr int kFailedTokenAttempts = 2000;
constexpr int kFailedTokenAddresses = 20;
constexpr int kIdleConnections = 500;
constexpr int kIdleAddresses = 5;
constexpr int kSlowConnections = 32;

// What the attackers saw.
struct FloodCounts {
  std::atomic<int> token_attempts{0};
  std::atomic<int> answered_401{0};
  std::atomic<int> answered_429{0};
  std::atomic<int> token_other{0};  // Refused connections, other answers, no answer.
  std::atomic<int> idle_opened{0};
  std::atomic<int> idle_refused{0};
  std::atomic<int> idle_held_peak{0};
  std::atomic<int> slow_opened{0};
};

// Wrong tokens over HTTPS, each on a new connection from 127.0.0.2 to 127.0.0.21.
void SendFailedTokens(const std::string& http, FloodCounts& counts) {
  const std::string request = absl::StrCat(
      "GET /api/v1/organization HTTP/1.1\r\nHost: collector\r\nAuthorization: Bearer "
      "pst.00000000deadbeef.",
      std::string(64, 'a'), "\r\nConnection: close\r\n\r\n");
  for (int i = 0; i < kFailedTokenAttempts; ++i) {
    ++counts.token_attempts;
    const std::string source = absl::StrCat("127.0.0.", 2 + i % kFailedTokenAddresses);
    auto connection = HeldTlsConnection::Open(source, http, absl::Seconds(5));
    if (!connection.ok() || !(*connection)->Send(request)) {
      ++counts.token_other;
      continue;
    }
    const std::optional<std::string> answer = (*connection)->ReadUntilClosed(absl::Seconds(5));
    if (answer && answer->starts_with("HTTP/1.1 401")) {
      ++counts.answered_401;
    } else if (answer && answer->starts_with("HTTP/1.1 429")) {
      ++counts.answered_429;
    } else {
      ++counts.token_other;
    }
  }
}

// Holds `count` connections from `sources` (cycled), opening each again once the
// collector has closed it, until `stop`; with `trickle`, sends a header line on each
// every 2 s (slow loris), else nothing (idle).
void HoldConnections(const std::string& http, const std::vector<std::string>& sources, int count,
                     bool trickle, absl::Notification& stop, std::atomic<int>& opened,
                     std::atomic<int>* refused, std::atomic<int>* held_peak) {
  std::vector<std::unique_ptr<HeldTlsConnection>> held(count);
  int line = 0;
  while (!stop.HasBeenNotified()) {
    int holding = 0;
    for (int i = 0; i < count && !stop.HasBeenNotified(); ++i) {
      if (held[i] != nullptr && held[i]->ClosedWithin(absl::ZeroDuration())) held[i].reset();
      if (held[i] == nullptr) {
        auto connection =
            HeldTlsConnection::Open(sources[i % sources.size()], http, absl::Seconds(2));
        if (!connection.ok()) {
          if (refused != nullptr) ++*refused;
          continue;
        }
        ++opened;
        held[i] = *std::move(connection);
        if (trickle) held[i]->Send("GET / HTTP/1.1\r\nHost: collector\r\n");
      } else if (trickle) {
        held[i]->Send(absl::StrCat("X-Slow-", line, ": 1\r\n"));
      }
      ++holding;
    }
    if (held_peak != nullptr) *held_peak = std::max(held_peak->load(), holding);
    ++line;
    stop.WaitForNotificationWithTimeout(trickle ? absl::Seconds(2) : absl::Milliseconds(500));
  }
}

// The admin's reads during the flood.
struct AdminReads {
  int answered = 0;
  int failed = 0;
  absl::Duration slowest;
};

AdminReads ReadAsAdmin(const test::CollectorProcess& collector, absl::Notification& stop) {
  AdminReads reads;
  while (!stop.WaitForNotificationWithTimeout(absl::Milliseconds(200))) {
    for (const char* path : {"/api/v1/organization", "/"}) {
      auto client =
          test::HttpsClient(collector.http_address(), collector.ca_file(), collector.admin().token);
      client->set_connection_timeout(10, 0);
      client->set_read_timeout(10, 0);
      const absl::Time start = absl::Now();
      httplib::Result result = client->Get(path);
      reads.slowest = std::max(reads.slowest, absl::Now() - start);
      if (result && result->status == 200) {
        ++reads.answered;
      } else {
        ++reads.failed;
      }
    }
  }
  return reads;
}

v1::IngestStats Stats(const test::CollectorProcess& collector) {
  auto admin =
      v1::AdminService::NewStub(CreateCollectorChannel(collector.address(), collector.admin()));
  grpc::ClientContext context;
  v1::IngestStats stats;
  admin->GetIngestStats(&context, {}, &stats).ok();
  return stats;
}

// The value of the sample `name` (with its labels) in the collector's /metrics; -1 if
// absent.
double Metric(const std::string& metrics, const std::string& name) {
  const size_t at = metrics.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::atof(metrics.c_str() + at + name.size() + 2);
}

double Rate(const LoadResult& load) {
  return load.acknowledged_records / absl::ToDoubleSeconds(load.elapsed);
}

int Run(const std::string& collector_bin, int agents, absl::Duration phase) {
  std::signal(SIGPIPE, SIG_IGN);
  test::TempDir dir;
  auto collector = test::CollectorProcess::Start(collector_bin, dir.path()).value();
  LoadOptions load;
  load.target = collector->address();
  load.admin = collector->admin();
  load.agents = agents;
  load.duration = phase;
  if (absl::Status s = RegisterLoadAgents(load); !s.ok()) {
    std::fprintf(stderr, "registering agents: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  const v1::IngestStats before = Stats(*collector);
  const LoadResult quiet_before = RunLoad(load);
  load.resume_sequences = true;

  const std::string http = collector->http_address();
  FloodCounts counts;
  absl::Notification stop;
  std::vector<std::string> idle_sources, slow_sources = {"127.0.2.1"};
  for (int i = 1; i <= kIdleAddresses; ++i) idle_sources.push_back(absl::StrCat("127.0.1.", i));
  std::thread tokens([&] { SendFailedTokens(http, counts); });
  std::thread idle([&] {
    HoldConnections(http, idle_sources, kIdleConnections, false, stop, counts.idle_opened,
                    &counts.idle_refused, &counts.idle_held_peak);
  });
  std::thread slow([&] {
    HoldConnections(http, slow_sources, kSlowConnections, true, stop, counts.slow_opened, nullptr,
                    nullptr);
  });
  AdminReads reads;
  std::thread admin([&] { reads = ReadAsAdmin(*collector, stop); });
  absl::SleepFor(absl::Seconds(1));  // The flood under way before the load is measured.
  const LoadResult flooded = RunLoad(load);
  tokens.join();
  stop.Notify();
  idle.join();
  slow.join();
  admin.join();

  const LoadResult quiet_after = RunLoad(load);
  const v1::IngestStats after = Stats(*collector);
  httplib::Result metrics =
      test::HttpsClient(http, collector->ca_file(), collector->admin().token)->Get("/metrics");
  const std::string text = metrics ? metrics->body : "";
  collector->Stop();

  const double quiet = (Rate(quiet_before) + Rate(quiet_after)) / 2;
  const double ratio = Rate(flooded) / quiet;
  const uint64_t acknowledged = quiet_before.acknowledged_records + flooded.acknowledged_records +
                                quiet_after.acknowledged_records;
  const uint64_t stored = after.items_stored() - before.items_stored();
  std::printf("flood_bench: %d agents, phases of %.0f s\n", agents, absl::ToDoubleSeconds(phase));
  std::printf(
      "  ingest quiet %.0f and %.0f items/s, flooded %.0f items/s: ratio %.2f (goal >= 0.8)\n",
      Rate(quiet_before), Rate(quiet_after), Rate(flooded), ratio);
  std::printf(
      "  items acknowledged %llu, stored %llu, duplicate batches %llu, lost %lld\n",
      static_cast<unsigned long long>(acknowledged), static_cast<unsigned long long>(stored),
      static_cast<unsigned long long>(after.batches_duplicate() - before.batches_duplicate()),
      static_cast<long long>(acknowledged) - static_cast<long long>(stored) -
          static_cast<long long>((after.batches_duplicate() - before.batches_duplicate()) *
                                 load.items_per_batch));
  std::printf("  wrong tokens: %d sent, 401 %d, 429 %d, other %d\n", counts.token_attempts.load(),
              counts.answered_401.load(), counts.answered_429.load(), counts.token_other.load());
  std::printf("  idle TLS: %d opened (peak %d held at once), %d refused; slow loris: %d opened\n",
              counts.idle_opened.load(), counts.idle_held_peak.load(), counts.idle_refused.load(),
              counts.slow_opened.load());
  std::printf("  admin during the flood: %d answered, %d failed, slowest %.0f ms\n", reads.answered,
              reads.failed, absl::ToDoubleMilliseconds(reads.slowest));
  std::printf(
      "  collector counted: auth failures %.0f, refusals %.0f; HTTPS connections accepted %.0f, "
      "refused per peer %.0f, refused in total %.0f, timed out %.0f\n",
      Metric(text, "postura_auth_failures_total"), Metric(text, "postura_auth_refusals_total"),
      Metric(text, "postura_http_connections_accepted_total"),
      Metric(text, "postura_http_connections_refused_total{limit=\"per_peer\"}"),
      Metric(text, "postura_http_connections_refused_total{limit=\"total\"}"),
      Metric(text, "postura_http_connections_timed_out_total"));
  return 0;
}

}  // namespace
}  // namespace postura::bench

int main(int argc, char** argv) {
  CLI::App app("Floods the collector's HTTPS port while agents ingest (issue 22, item 4)");
  std::string collector_bin = POSTURA_COLLECTOR_BIN;
  int agents = 100;
  int seconds = 10;
  app.add_option("--collector", collector_bin, "postura-collector binary")->capture_default_str();
  app.add_option("--agents", agents, "Simulated agents")->capture_default_str();
  app.add_option("--seconds", seconds, "Length of each phase")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return postura::bench::Run(collector_bin, agents, absl::Seconds(seconds));
}
