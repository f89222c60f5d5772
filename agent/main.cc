// postura-agent: runs its check packs on their intervals and delivers the evidence to the
// collector through its durable spool, until SIGTERM or SIGINT.

#include <signal.h>

#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "agent/agent_config.h"
#include "agent/agent_daemon.h"
#include "common/catalog.h"
#include "glog/logging.h"

int main(int argc, char** argv) {
  CLI::App app{"postura-agent: gathers control evidence on this host for the collector."};
  std::string config_path;
  app.add_option("--config", config_path, "Agent config file (YAML)")->required();
  CLI11_PARSE(app, argc, argv);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);

  // Block the stop signals before any thread starts; the main loop waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<postura::agent::AgentOptions> options =
      postura::agent::LoadAgentConfig(config_path);
  if (!options.ok()) {
    std::cerr << "postura-agent: " << options.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<postura::agent::AgentDaemon>> daemon =
      postura::agent::AgentDaemon::Start(*options, postura::Catalog::Builtin(),
                                         postura::Clock::GetRealClock());
  if (!daemon.ok()) {
    std::cerr << "postura-agent: " << daemon.status().message() << "\n";
    return 2;
  }
  const timespec tick = {1, 0};
  while (true) {
    if (absl::StatusOr<int> ran = (*daemon)->RunDueChecks(); !ran.ok()) {
      LOG(ERROR) << "checks not recorded: " << ran.status();
    }
    if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) break;
  }
  LOG(INFO) << "stopping; " << (*daemon)->spool().pending_batches()
            << " batches stay in the spool for the next start";
  return 0;
}
