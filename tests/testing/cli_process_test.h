#ifndef POSTURA_TESTS_TESTING_CLI_PROCESS_TEST_H_
#define POSTURA_TESTS_TESTING_CLI_PROCESS_TEST_H_

// The base of the `postura` command's process tests (tests/*_cli_test.cc): a real
// collector process in a temporary directory, and the CLI run as a user runs it, with the
// collector's address, its pinned CA and a token file on the command line. An exit status
// other than the one a helper expects is a test failure (EXPECT) showing the command and
// its output, so a test reads on. The including test target defines POSTURA_BIN (the CLI)
// and starts `collector_` in its SetUp. Threading: the test's thread.

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/collector_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura::test {

class CliProcessTest : public testing::Test {
 protected:
  // Runs `postura ARGS` with the admin's token, or the token in `token_file`.
  ProcessResult Postura(std::vector<std::string> args, const std::string& token_file = "") {
    args.insert(args.begin(), {POSTURA_BIN, "--collector", collector_->address(), "--ca-file",
                               collector_->ca_file(), "--token-file",
                               token_file.empty() ? collector_->admin_token_file() : token_file});
    absl::StatusOr<ProcessResult> result = RunProcess(args);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : ProcessResult{};
  }

  // The output of a command that must succeed (exit 0).
  std::string Ok(const std::vector<std::string>& args, const std::string& token_file = "") {
    ProcessResult result = Postura(args, token_file);
    EXPECT_EQ(result.exit_code, 0) << testing::PrintToString(args) << "\n" << result.err;
    return result.out;
  }

  // The same with --format json, parsed; a discarded value if it is not JSON.
  nlohmann::json OkJson(std::vector<std::string> args, const std::string& token_file = "") {
    args.insert(args.end(), {"--format", "json"});
    return nlohmann::json::parse(Ok(args, token_file), nullptr, /*allow_exceptions=*/false);
  }

  // The error output of a command that must fail with exit status 1.
  std::string Refused(const std::vector<std::string>& args, const std::string& token_file = "") {
    ProcessResult result = Postura(args, token_file);
    EXPECT_EQ(result.exit_code, 1) << testing::PrintToString(args) << "\n" << result.out;
    return result.err;
  }

  TempDir dir_;
  std::unique_ptr<CollectorProcess> collector_;
};

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_CLI_PROCESS_TEST_H_
