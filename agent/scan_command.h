// `postura-agent scan`: runs check packs once on this host or a fixture root and/or reads
// OpenSCAP results, and prints what the agent would send, per check and per outcome
// (docs/scan.md). Needs no config, no collector and no credential.
//
// main.cc registers the command (AddScanCommand) and calls RunScan once. Single-threaded
// apart from the check runner's own workers.
#ifndef POSTURA_AGENT_SCAN_COMMAND_H_
#define POSTURA_AGENT_SCAN_COMMAND_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace postura::agent {

struct ScanRequest {
  std::vector<std::string> packs;          // Pack files; "builtin" is the built-in pack.
  std::string root = "/";                  // Where the checks read.
  std::vector<std::string> xccdf_results;  // XCCDF 1.2 results or ARF files.
  std::vector<std::string> mappings;       // Operators' rule -> outcome TSV files.
  std::string asset_ig;                    // "", "IG1", "IG2" or "IG3".
  std::string format = "text";             // "text" or "json".
  int64_t max_xccdf_mib = 64;              // Larger results files are refused.
};

// Adds the `scan` subcommand to `app`; parsing fills `request`.
CLI::App* AddScanCommand(CLI::App& app, ScanRequest& request);

// Runs the scan and prints the report to `out`. Returns 0 whatever the verdicts, 1 on bad
// input, with one line on `err` naming the file or option and the problem. When neither
// packs nor results are given, runs the built-in Debian pack; with results only, runs no
// pack ("--pack builtin" adds it).
int RunScan(const ScanRequest& request, std::ostream& out, std::ostream& err);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_SCAN_COMMAND_H_
