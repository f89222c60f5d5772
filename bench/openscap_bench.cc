// What OpenSCAP evidence costs the agent, beside the built-in pack it complements:
//   1. the pack: one run's time and the peak RSS it adds;
//   2. one `oscap xccdf eval` as the agent runs it (oscap_process.h) on a fixture root that
//      claims Debian 11, so ssg-debian's content applies: wall and CPU time, and the oscap
//      child's own peak RSS, which is not the agent's;
//   3. importing a large ARF report (that evaluation's, padded to --arf-mib): time, the
//      peak RSS it adds, and the ratio to merely reading the same file in the same run.
//
//   build/bin/openscap_bench [--runs 20] [--arf-mib 50] [--root /]
//
// --root is where the pack runs (this host by default); OpenSCAP always evaluates the
// fixture root, since Debian 12 has no SSG content of its own (docs/openscap.md).

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "CLI/CLI.hpp"
#include "agent/checks/check_pack.h"
#include "agent/checks/check_runner.h"
#include "agent/checks/openscap/oscap_process.h"
#include "agent/checks/openscap/rule_mapping.h"
#include "agent/checks/openscap/xccdf_evidence.h"
#include "agent/checks/openscap/xccdf_results.h"
#include "common/model/catalog.h"
#include "tests/testing/padded_arf.h"
#include "tests/testing/process_stats.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace {

namespace fs = std::filesystem;
namespace openscap = postura::agent::openscap;

constexpr char kDatastream[] = "/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml";
constexpr char kProfile[] = "xccdf_org.ssgproject.content_profile_standard";

// Resets the peak RSS (VmHWM) to the current RSS; returns the current RSS in MiB.
double ResetPeak() {
  std::ofstream("/proc/self/clear_refs") << "5";
  return postura::test::ProcessMemoryMib(getpid(), "VmHWM");
}

double PeakGrowthSince(double baseline) {
  return postura::test::ProcessMemoryMib(getpid(), "VmHWM") - baseline;
}

// The hardened fixture host of the quickstart, claiming Debian 11.
std::string Debian11Root(const postura::test::TempDir& dir) {
  const fs::path root = dir.path() / "root";
  const fs::path fixtures = fs::path(POSTURA_SOURCE_DIR) / "tests/testdata/agent";
  fs::copy(fixtures / "hardened", root,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  fs::copy(fixtures / "overlays/hardened-debian", root,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks |
               fs::copy_options::overwrite_existing);
  dir.WriteFile("root/etc/debian_version", "11.11\n");
  dir.WriteFile("root/etc/os-release", "VERSION_ID=\"11\"\nID=debian\n");
  return root.string();
}

void BenchPack(const std::string& root, int runs) {
  const std::string path = std::string(POSTURA_SOURCE_DIR) + "/deploy/packs/debian-server.yaml";
  auto pack = postura::agent::LoadCheckPack(path, postura::Catalog::Builtin()).value();
  postura::agent::CheckRunner runner({.root = root}, postura::Clock::GetRealClock());
  const double baseline = ResetPeak();
  runner.Run(pack.checks);  // Warms the page cache.
  const absl::Time start = absl::Now();
  for (int i = 0; i < runs; ++i) runner.Run(pack.checks);
  const absl::Duration per_run = (absl::Now() - start) / runs;
  std::printf("pack (%zu checks, root %s): %.2f ms per run (mean of %d), peak RSS +%.1f MiB\n",
              pack.checks.size(), root.c_str(), absl::ToDoubleMilliseconds(per_run), runs,
              PeakGrowthSince(baseline));
}

void BenchOscap(const postura::test::TempDir& dir, const std::string& root) {
  openscap::OscapCommand command;
  command.datastream = kDatastream;
  command.profile = kProfile;
  command.root = root;
  command.results = (dir.path() / "results.xml").string();
  auto run = openscap::RunOscap(command).value();
  std::printf(
      "oscap %s on the Debian 11 fixture: %.2f s wall, %.2f s CPU at nice 19, peak RSS of "
      "the oscap process %.1f MiB (not the agent's)\n",
      kProfile, absl::ToDoubleSeconds(run.elapsed), absl::ToDoubleSeconds(run.cpu_time),
      run.peak_rss_bytes / 1048576.0);
}

// Reads `path` in 64 KiB chunks and throws it away: the baseline of the import.
absl::Duration ReadOnly(const std::string& path) {
  const absl::Time start = absl::Now();
  const int fd = open(path.c_str(), O_RDONLY);
  char buffer[65536];
  while (read(fd, buffer, sizeof buffer) > 0) {
  }
  close(fd);
  return absl::Now() - start;
}

void BenchImport(const postura::test::TempDir& dir, const std::string& root, int arf_mib) {
  const std::string arf = (dir.path() / "arf.xml").string();
  auto made = postura::test::RunProcess({"/usr/bin/oscap-chroot", root, "xccdf", "eval",
                                         "--profile", kProfile, "--results-arf", arf, kDatastream})
                  .value();
  if (made.exit_code != 0 && made.exit_code != 2) {
    std::fprintf(stderr, "oscap-chroot failed: %s\n", made.err.c_str());
    return;
  }
  std::stringstream text;
  text << std::ifstream(arf).rdbuf();
  const std::string big = (dir.path() / "big-arf.xml").string();
  postura::test::WritePaddedArf(text.str(), big, static_cast<std::size_t>(arf_mib) << 20)
      .IgnoreError();
  const double size_mib = fs::file_size(big) / 1048576.0;
  const absl::Duration read_only = ReadOnly(big);  // Also puts it in the page cache.
  const absl::Duration read_again = ReadOnly(big);
  const auto mapping = openscap::RuleMapping::Builtin(postura::Catalog::Builtin()).value();
  const double baseline = ResetPeak();
  const absl::Time start = absl::Now();
  auto results = openscap::ReadXccdfResultsFile(big).value();
  const openscap::XccdfEvidence evidence = openscap::EvidenceFromXccdf(results, mapping);
  const absl::Duration took = absl::Now() - start;
  std::printf(
      "import of a %.1f MiB ARF (%zu rule results, %zu outcomes): %.0f ms (%.0f MiB/s), "
      "%.1fx reading the file (%.0f ms, cached), peak RSS +%.1f MiB\n",
      size_mib, results.rule_results.size(), evidence.outcomes.size(),
      absl::ToDoubleMilliseconds(took), size_mib / absl::ToDoubleSeconds(took),
      absl::FDivDuration(took, std::min(read_only, read_again)),
      absl::ToDoubleMilliseconds(std::min(read_only, read_again)), PeakGrowthSince(baseline));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"OpenSCAP benchmark: pack run, oscap evaluation, large ARF import."};
  std::string root = "/";
  int runs = 20, arf_mib = 50;
  app.add_option("--root", root, "Host root the pack reads")->capture_default_str();
  app.add_option("--runs", runs, "Runs of the whole pack")->capture_default_str();
  app.add_option("--arf-mib", arf_mib, "Size of the ARF to import")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  std::printf("peak RSS of this process at start: %.1f MiB\n", ResetPeak());
  BenchPack(root, runs);
  postura::test::TempDir dir;
  const std::string fixture = Debian11Root(dir);
  BenchOscap(dir, fixture);
  BenchImport(dir, fixture, arf_mib);
  return 0;
}
