// The agent's footprint: the cost of one run of the built-in pack, and the steady-state
// RSS and CPU of a real postura-agent process with that pack at its default intervals,
// delivering to a real collector on loopback.
//
//   build/bin/agent_bench [--seconds 60] [--root /] [--agent PATH] [--wrapper "CMD ARGS"]
//
// --wrapper runs the agent under another program, e.g. valgrind for the code layout
// profile that bench/make_agent_order.sh records.

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/checks/check_pack.h"
#include "agent/checks/check_runner.h"
#include "common/model/catalog.h"
#include "common/transport/private_file.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/process_stats.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

int main(int argc, char** argv) {
  CLI::App app{"Agent benchmark: pack run cost, steady-state RSS and CPU."};
  const std::filesystem::path bin = std::filesystem::path(argv[0]).parent_path();
  std::string pack_path = std::string(POSTURA_SOURCE_DIR) + "/deploy/packs/debian-server.yaml";
  std::string root = "/";
  std::string agent_path = (bin / "postura-agent").string(), wrapper;
  std::string openscap_datastream, openscap_profile;
  int seconds = 60, runs = 20;
  app.add_option("--pack", pack_path, "Check pack");
  app.add_option("--root", root, "Host root the checks read");
  app.add_option("--seconds", seconds, "Length of the steady-state measurement");
  app.add_option("--runs", runs, "Runs of the whole pack for the per-run cost");
  app.add_option("--agent", agent_path, "The agent executable to measure")
      ->check(CLI::ExistingFile);
  app.add_option("--wrapper", wrapper, "A command line to run the agent under");
  app.add_option("--openscap-datastream", openscap_datastream,
                 "Also run this SCAP datastream with oscap, hourly (docs/openscap.md)");
  app.add_option("--openscap-profile", openscap_profile, "The profile for --openscap-datastream");
  CLI11_PARSE(app, argc, argv);

  auto pack = postura::agent::LoadCheckPack(pack_path, postura::Catalog::Builtin());
  if (!pack.ok()) {
    std::fprintf(stderr, "%s\n", std::string(pack.status().message()).c_str());
    return 1;
  }
  postura::agent::CheckRunner runner({.root = root}, postura::Clock::GetRealClock());
  runner.Run(pack->checks);  // Warm the page cache.
  const absl::Time start = absl::Now();
  for (int i = 0; i < runs; ++i) runner.Run(pack->checks);
  const absl::Duration per_run = (absl::Now() - start) / runs;
  std::printf("pack %s: %zu checks against root %s\n", pack->name.c_str(), pack->checks.size(),
              root.c_str());
  std::printf("one run of the whole pack: %.2f ms wall (%.1f us per check), mean of %d\n",
              absl::ToDoubleMilliseconds(per_run),
              absl::ToDoubleMicroseconds(per_run) / pack->checks.size(), runs);

  postura::test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "c");
  auto collector =
      postura::test::CollectorProcess::Start((bin / "postura-collector").string(), dir.path() / "c")
          .value();
  // The agent enrolls itself with a token, as in production.
  const absl::Status registered = postura::test::PutAsset(collector->address(), collector->admin(),
                                                          "bench-host", postura::v1::IG1);
  absl::StatusOr<std::string> token =
      registered.ok() ? postura::test::CreateEnrollmentToken(collector->address(),
                                                             collector->admin(), {"bench-host"})
                      : registered;
  if (!token.ok() || !postura::WritePrivateFile(dir.path() / "enrollment.token", *token).ok()) {
    std::fprintf(stderr, "registering the agent: %s\n",
                 std::string(token.status().message()).c_str());
    return 1;
  }
  const std::string config = dir.WriteFile(
      "agent.yaml",
      absl::StrCat("agent_id: bench-agent\ncollector_address: ", collector->address(),
                   "\nassets: [bench-host]\npacks: [", pack_path, "]\nroot: ", root,
                   "\nspool: {directory: ", (dir.path() / "spool").string(),
                   "}\nca_file: ", collector->ca_file(),
                   "\nenrollment_token_file: ", (dir.path() / "enrollment.token").string(), "\n",
                   openscap_datastream.empty()
                       ? ""
                       : absl::StrCat("openscap: [{datastream: ", openscap_datastream,
                                      ", profile: ", openscap_profile, ", interval: 1h}]\n")));
  std::vector<std::string> agent_argv = absl::StrSplit(wrapper, ' ', absl::SkipEmpty());
  agent_argv.insert(agent_argv.end(), {agent_path, "--config", config});
  auto started =
      postura::test::ChildProcess::Start(agent_argv, (dir.path() / "agent.log").string());
  if (!started.ok()) {
    std::fprintf(stderr, "starting the agent: %s\n", started.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<postura::test::ChildProcess> process = *std::move(started);
  absl::SleepFor(absl::Seconds(5));  // Start-up and the first run of every check.
  const absl::Duration cpu_before = postura::test::ProcessCpu(process->pid());
  absl::SleepFor(absl::Seconds(seconds));
  const absl::Duration cpu = postura::test::ProcessCpu(process->pid()) - cpu_before;
  const pid_t pid = process->pid();
  std::printf("steady state over %d s (default intervals): CPU %.3f%% of one core\n", seconds,
              100 * absl::ToDoubleSeconds(cpu) / seconds);
  std::printf(
      "RSS %.1f MiB (peak %.1f MiB): %.1f MiB private memory (RssAnon) + %.1f MiB of "
      "mapped files, mostly shared libraries (RssFile)\n",
      postura::test::ProcessMemoryMib(pid, "VmRSS"), postura::test::ProcessMemoryMib(pid, "VmHWM"),
      postura::test::ProcessMemoryMib(pid, "RssAnon"),
      postura::test::ProcessMemoryMib(pid, "RssFile"));
  process->Signal(SIGTERM);
  process->Wait();
  collector->Stop();
  return 0;
}
