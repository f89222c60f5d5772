#include "tests/testing/agent_process.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/transport/private_file.h"

namespace postura::test {
namespace {

std::string ConfigText(const AgentProcessOptions& options, const std::string& token_file) {
  std::string text = absl::StrCat(
      "agent_id: ", options.agent_id, "\ncollector_address: ", options.collector_address,
      "\nassets: [", absl::StrJoin(options.assets, ", "), "]\npacks: [", options.pack,
      "]\nroot: ", options.root, "\nspool:\n  directory: ", options.spool_dir,
      "\nca_file: ", options.ca_file, "\n");
  if (!token_file.empty()) absl::StrAppend(&text, "enrollment_token_file: ", token_file, "\n");
  if (options.evidence_ttl_intervals != 0) {
    absl::StrAppend(&text, "evidence_ttl_intervals: ", options.evidence_ttl_intervals, "\n");
  }
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ChildProcess>> StartAgentProcess(
    const std::string& binary, const std::string& dir, const AgentProcessOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  std::string token_file;
  if (!options.enrollment_token.empty()) {
    token_file = absl::StrCat(dir, "/", options.agent_id, ".token");
    if (absl::Status s = WritePrivateFile(token_file, options.enrollment_token); !s.ok()) {
      return absl::InternalError(s.message());
    }
  }
  const std::string config = absl::StrCat(dir, "/", options.agent_id, ".yaml");
  {
    std::ofstream out(config, std::ios::trunc);
    out << ConfigText(options, token_file);
    if (!out.good()) return absl::InternalError(absl::StrCat("cannot write ", config));
  }
  // Returns once the agent runs (it logs "... checks for assets of ..."), so that a SIGTERM
  // the test sends next finds it handling its stop signals.
  return StartAndWaitForLine({binary, "--config", config}, AgentLogPath(dir, options.agent_id),
                             kAgentStartedLine, absl::Seconds(60));
}

std::string AgentLogPath(const std::string& dir, const std::string& agent_id) {
  return absl::StrCat(dir, "/", agent_id, ".log");
}

}  // namespace postura::test
