// The collector's HTTPS listener against hostile requests that carry no token: a real
// collector process, so that its own peak memory is what is measured.

#include <httplib.h>
#include <sys/types.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/gzip_bomb.h"
#include "tests/testing/https_client.h"
#include "tests/testing/process_stats.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::TempDir;
using ::testing::HasSubstr;

// Issue 24, item 3: httplib inflated a gzip request body whole, before any handler or token
// check, and its body limit counted the compressed bytes. One unauthenticated POST of
// 300 KB took the collector from about 40 MiB to about 850 MiB of resident memory.
TEST(HttpLimitsTest, UnauthenticatedGzipBombIsRefusedWithoutRaisingPeakMemory) {
  // The collector closes the connection after refusing, before the client says goodbye;
  // httplib's TLS client then writes to a closed socket without MSG_NOSIGNAL.
  std::signal(SIGPIPE, SIG_IGN);
  TempDir dir;
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path()).value();
  const pid_t pid = collector->pid();
  const double peak_at_start = test::ProcessMemoryMib(pid, "VmHWM");
  ASSERT_GT(peak_at_start, 0) << "no VmHWM in /proc/" << pid << "/status";

  // 300 MiB inflated: under the 1 MiB body limit on the wire.
  const std::string bomb = test::GzipOfZeros(300);
  ASSERT_LT(bomb.size(), 1u << 20);
  auto anonymous = test::HttpsClient(collector->http_address(), collector->ca_file(), "");
  anonymous->set_read_timeout(30, 0);
  httplib::Result result =
      anonymous->Post("/api/v1/session", {{"Content-Encoding", "gzip"}}, bomb, "application/json");
  const double peak_after = test::ProcessMemoryMib(pid, "VmHWM");
  std::cout << "collector peak RSS (VmHWM): " << peak_at_start << " MiB at start, " << peak_after
            << " MiB after a " << bomb.size() / 1024 << " KiB gzip body of 300 MiB\n";

  // The collector answers before it reads the body, then closes the connection. A client
  // still writing the body then sees the connection close under it (as with any server that
  // refuses early); one that got it all out reads the answer.
  if (result) {
    EXPECT_EQ(result->status, 415) << result->body;
    EXPECT_THAT(result->body, HasSubstr("Content-Encoding"));
  } else {
    EXPECT_EQ(result.error(), httplib::Error::Write);
  }
  // Before the fix: about +810 MiB. Relative, so that sanitizer builds pass too.
  EXPECT_LT(peak_after - peak_at_start, 100)
      << "MiB more peak resident memory: " << peak_at_start << " -> " << peak_after << " MiB";

  // Still serving, and the refusal changed nothing for anyone else.
  httplib::Result health = anonymous->Get("/healthz");
  ASSERT_TRUE(health) << health.error();
  EXPECT_EQ(health->status, 200);
  auto admin =
      test::HttpsClient(collector->http_address(), collector->ca_file(), collector->admin().token);
  httplib::Result whoami = admin->Get("/api/v1/whoami");
  ASSERT_TRUE(whoami) << whoami.error();
  EXPECT_EQ(whoami->status, 200) << whoami->body;
  EXPECT_EQ(collector->Stop(), 0);
}

}  // namespace
}  // namespace postura
