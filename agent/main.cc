// postura-agent: runs its check packs on their intervals and delivers the evidence to the
// collector through its durable spool, until SIGTERM or SIGINT.

#include <malloc.h>
#include <signal.h>

#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_join.h"
#include "agent/agent_daemon.h"
#include "agent/check_config.h"
#include "agent/config/agent_config.h"
#include "agent/delivery/attestation.h"
#include "agent/delivery/enrollment.h"
#include "agent/scan_command.h"
#include "common/config/yaml_config.h"
#include "common/model/catalog.h"
#include "common/transport/grpc_lifetime.h"
#include "common/transport/tls_files.h"
#include "glog/logging.h"

namespace {

constexpr char kDefaultConfig[] = "/etc/postura/agent.yaml";

// `postura-agent attest`: records attested evidence for the running agent to deliver.
int Attest(const std::string& config_path, const postura::agent::AttestationRequest& request) {
  absl::StatusOr<postura::agent::AgentOptions> options =
      postura::agent::LoadAgentConfig(config_path);
  if (!options.ok()) {
    std::cerr << "postura-agent attest: " << options.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<postura::v1::Evidence> item =
      postura::agent::MakeAttestation(request, *options, postura::Catalog::Builtin(), absl::Now());
  if (!item.ok()) {
    std::cerr << "postura-agent attest: " << item.status().message() << "\n";
    return 2;
  }
  if (absl::Status s = postura::agent::PutInInbox(options->spool_directory, *item); !s.ok()) {
    std::cerr << "postura-agent attest: " << s.message() << "\n";
    return 1;
  }
  std::cout << "Recorded: " << request.outcome << " of " << request.asset << " at level "
            << request.level_hundredths << ", attested"
            << (item->content_sha256().empty() ? "" : " with the evidence file's SHA-256")
            << ". The running agent delivers it to "
            << absl::StrJoin(postura::agent::CollectorAddresses(*options), " or ") << ".\n";
  return 0;
}

// The agent's key and certificate (or its older bearer credential); while the collector
// cannot be reached to enroll, tries again every 5 s until it can or a stop signal comes
// (Cancelled then).
absl::StatusOr<postura::agent::AgentIdentity> ObtainIdentityPatiently(
    const postura::agent::AgentOptions& options, const sigset_t& stop_signals) {
  const timespec pause = {5, 0};
  while (true) {
    absl::StatusOr<postura::agent::AgentIdentity> identity =
        postura::agent::ObtainIdentity(options);
    if (identity.ok() ||
        (!absl::IsUnavailable(identity.status()) && !absl::IsDeadlineExceeded(identity.status()))) {
      return identity;
    }
    LOG(WARNING) << identity.status().message() << "; trying again in 5 s";
    if (sigtimedwait(&stop_signals, nullptr, &pause) > 0) {
      return absl::CancelledError("stopped before enrolling");
    }
  }
}

// `--check-config FILE`: every problem of the file and its packs on stderr, each with its
// line; 0 if none.
int CheckConfig(const std::string& path) {
  const std::vector<postura::ConfigProblem> problems =
      postura::agent::CheckAgentConfigFile(path, postura::Catalog::Builtin());
  if (!problems.empty()) {
    std::cerr << postura::FormatConfigProblems(path, problems);
    return 1;
  }
  std::cout << path << ": OK\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the stop signals first, before any thread starts and before anything slow: from
  // here on a SIGTERM waits for the main loop, which stops cleanly. (Blocked later, a
  // SIGTERM during start-up killed the agent, exit status -15.) The attest command, which
  // runs once and has no loop, unblocks them again.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  // SIGHUP (reload the packs) too, handled by the main loop only.
  sigset_t blocked = stop_signals;
  sigaddset(&blocked, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
  CLI::App app{"postura-agent: gathers control evidence on this host for the collector."};
  std::string config_path = kDefaultConfig;
  app.add_option("--config", config_path, "Agent config file (YAML)")->capture_default_str();
  std::string check_config_path;
  app.add_option("--check-config", check_config_path,
                 "Check this config file and its packs without starting: print each bad key "
                 "with its line, exit 0 if they are good, 1 if not");
  CLI::App* attest = app.add_subcommand(
      "attest", "Declare the level of an outcome for an asset (supplier self-attestation)");
  std::string attest_config = kDefaultConfig;
  postura::agent::AttestationRequest request;
  std::string expires = "90d";
  attest->add_option("--config", attest_config, "Agent config file (YAML)")->capture_default_str();
  attest->add_option("--asset", request.asset, "Asset id (one of the agent's assets)")->required();
  attest->add_option("--outcome", request.outcome, "ULEO outcome id, e.g. PR_AC_CSC_5_2")
      ->required();
  attest->add_option("--level", request.level_hundredths, "0, 33, 67 or 100")->required();
  attest->add_option("--note", request.note, "What backs the declaration")->required();
  attest->add_option("--evidence-file", request.evidence_file,
                     "A supporting document; its SHA-256 is recorded");
  attest->add_option("--expires", expires, "How long the attestation counts, e.g. 90d")
      ->capture_default_str();
  postura::agent::ScanRequest scan_request;
  CLI::App* scan = postura::agent::AddScanCommand(app, scan_request);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);
    return status != 0 && scan->parsed() ? 1 : status;  // scan: 1 on bad input.
  }
  if (!check_config_path.empty()) return CheckConfig(check_config_path);
  if (scan->parsed()) {
    pthread_sigmask(SIG_UNBLOCK, &blocked, nullptr);
    return postura::agent::RunScan(scan_request, std::cout, std::cerr);
  }
  if (attest->parsed()) {
    absl::StatusOr<absl::Duration> duration = postura::ParseConfigDuration(expires);
    if (!duration.ok()) {
      std::cerr << "postura-agent attest: --expires: " << duration.status().message() << "\n";
      return 2;
    }
    request.expires_after = *duration;
    pthread_sigmask(SIG_UNBLOCK, &blocked, nullptr);
    return Attest(attest_config, request);
  }
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  // The agent is mostly idle, so its heap is tuned for size (bench/agent_bench.cc): one
  // malloc arena for all threads, and a fixed mmap threshold so that a large transient
  // buffer (a file a check reads whole) goes back to the system when freed instead of
  // raising the threshold and staying in the heap.
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 64 * 1024);  // Also keeps the trim threshold at its 128 KiB.

  // After the mask, so gRPC's threads inherit it; before any channel or server.
  postura::GrpcLifetime grpc_lifetime;

  absl::StatusOr<postura::agent::AgentOptions> options =
      postura::agent::LoadAgentConfig(config_path);
  if (!options.ok()) {
    std::cerr << "postura-agent: " << options.status().message() << "\n";
    return 2;
  }
  if (!options->ca_file.empty()) {
    absl::StatusOr<std::string> ca = postura::ReadCertificateFile(options->ca_file);
    if (!ca.ok()) {
      std::cerr << "postura-agent: ca_file: " << ca.status().message() << "\n";
      return 2;
    }
    options->trust.ca_certificate_pem = *std::move(ca);
  }
  absl::StatusOr<postura::agent::AgentIdentity> identity =
      ObtainIdentityPatiently(*options, stop_signals);
  if (!identity.ok()) {
    LOG(ERROR) << identity.status().message();
    std::cerr << "postura-agent: " << identity.status().message() << "\n";
    return 2;
  }
  options->trust = std::move(identity->trust);
  options->certificate = std::move(identity->certificate);
  absl::StatusOr<std::unique_ptr<postura::agent::AgentDaemon>> daemon =
      postura::agent::AgentDaemon::Start(*options, postura::Catalog::Builtin(),
                                         postura::Clock::GetRealClock());
  if (!daemon.ok()) {
    std::cerr << "postura-agent: " << daemon.status().message() << "\n";
    return 2;
  }
  const timespec tick = {1, 0};
  sigset_t loop_signals = stop_signals;
  sigaddset(&loop_signals, SIGHUP);
  while (true) {
    if (absl::StatusOr<int> accepted = (*daemon)->AcceptAttestations(); !accepted.ok()) {
      LOG(ERROR) << "attestations not spooled: " << accepted.status();
    }
    if (absl::StatusOr<int> ran = (*daemon)->RunDueChecks(); !ran.ok()) {
      LOG(ERROR) << "checks not recorded: " << ran.status();
    } else if (*ran > 0) {
      malloc_trim(0);  // Hand back what the checks' reading freed in the middle of the heap.
    }
    const int signal_number = sigtimedwait(&loop_signals, nullptr, &tick);
    if (signal_number == SIGHUP) {
      LOG(INFO) << "SIGHUP: reloading the packs";
      (*daemon)->ReloadPacks().IgnoreError();  // Logged; the old checks go on if it failed.
    } else if (signal_number > 0) {
      break;
    }
  }
  LOG(INFO) << "stopping; " << (*daemon)->spool().pending_batches()
            << " batches stay in the spool for the next start";
  return 0;
}
