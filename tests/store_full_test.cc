// Issue 23, item 5: the collector's disk fills. The collector's data directory is a
// tmpfs (mounted in a mount namespace of the test's own, so the host sees nothing); the
// test fills it with a file while a real agent delivers, then deletes the file. Ingest
// must answer RESOURCE_EXHAUSTED naming the cause, acknowledge nothing it did not store,
// say why in its log and its figures, and resume by itself; the agent spools meanwhile
// and everything it created arrives exactly once.

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collector/store/evidence_store.h"
#include "gtest/gtest.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "tests/fault_agents.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::TempDir;

// A tmpfs of `size` mounted on `directory` in a mount namespace private to the calling
// thread (and the processes it starts); unmounted on destruction. Mounting needs root
// (CAP_SYS_ADMIN): why it failed is in error().
class PrivateTmpfs {
 public:
  PrivateTmpfs(const std::string& directory, const std::string& size) : directory_(directory) {
    if (unshare(CLONE_NEWNS) != 0) {
      error_ = absl::StrCat("unshare(CLONE_NEWNS): ", std::strerror(errno));
    } else if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      error_ = absl::StrCat("making / private: ", std::strerror(errno));
    } else if (mount("tmpfs", directory.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                     absl::StrCat("size=", size, ",mode=0700").c_str()) != 0) {
      error_ = absl::StrCat("mounting a tmpfs on ", directory, ": ", std::strerror(errno));
    } else {
      mounted_ = true;
    }
  }
  ~PrivateTmpfs() {
    if (mounted_) umount2(directory_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string directory_;
  bool mounted_ = false;
  std::string error_;
};

// Writes `path` until the filesystem has at most `leave` bytes free: the bytes written.
uint64_t FillFilesystem(const std::string& path, uint64_t leave = 0) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return 0;
  const std::string chunk(1 << 16, 'x');
  uint64_t written = 0;
  while (true) {
    struct statvfs figures;
    if (fstatvfs(fd, &figures) != 0) break;
    const uint64_t free = static_cast<uint64_t>(figures.f_bavail) * figures.f_frsize;
    if (free <= leave) break;
    const ssize_t n = write(fd, chunk.data(), std::min<uint64_t>(chunk.size(), free - leave));
    if (n <= 0) break;
    written += static_cast<uint64_t>(n);
  }
  close(fd);
  return written;
}

// One batch of one item sent on a stream of its own as the agent `trust` belongs to: how
// the stream ended (OK once the batch was acknowledged).
grpc::Status SendOneBatch(const std::string& address, const CollectorTrust& trust,
                          const std::string& agent_id, uint64_t sequence) {
  auto stub = v1::IngestService::NewStub(test::FreshChannel(address, trust));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  auto stream = stub->Report(&context);
  v1::AgentMessage message;
  message.mutable_hello()->set_agent_id(agent_id);
  v1::CollectorMessage reply;
  if (stream->Write(message) && stream->Read(&reply)) {
    v1::Batch& batch = *message.mutable_batch();
    batch.set_sequence(sequence);
    v1::Evidence& item = *batch.add_items();
    item.set_asset_id("web");
    item.set_outcome_id("PR_AC_PR_AC_1");
    item.set_level(v1::DLI_100);
    item.set_kind(v1::OBSERVED);
    item.set_check_id("probe");
    item.set_observed_at_unix_nanos(absl::ToUnixNanos(absl::Now()));
    item.set_expires_at_unix_nanos(absl::ToUnixNanos(absl::Now() + absl::Hours(1)));
    if (stream->Write(message) && stream->Read(&reply) && reply.has_ack()) stream->WritesDone();
    while (stream->Read(&reply)) {
    }
  }
  return stream->Finish();
}

uint64_t FreeBytes(const std::string& path) {
  struct statvfs figures;
  if (statvfs(path.c_str(), &figures) != 0) return 0;
  return static_cast<uint64_t>(figures.f_bavail) * figures.f_frsize;
}

std::string Tail(const std::string& path) {
  std::ifstream file(path);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
}

int CountInFile(const std::string& path, absl::string_view needle) {
  std::ifstream file(path);
  std::string line;
  int count = 0;
  while (std::getline(file, line)) count += absl::StrContains(line, needle) ? 1 : 0;
  return count;
}

// Polls the collector's ingest figures every 100 ms, up to `timeout`, until `done` says so.
bool WaitForStats(const CollectorProcess& collector, absl::Duration timeout,
                  const std::function<bool(const v1::IngestStats&)>& done) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    absl::StatusOr<v1::IngestStats> stats =
        test::GetIngestStats(collector.address(), collector.admin());
    if (stats.ok() && done(*stats)) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

TEST(StoreFullTest, IngestRefusesWhileTheDiskIsFullAndResumesByItselfLosingNothing) {
  TempDir dir;
  TempDir collector_dir;
  const std::string data_dir = (collector_dir.path() / "data").string();
  std::filesystem::create_directories(data_dir);
  // needs fresh space, as on a real disk that is full.
  // Larger than RocksDB's largest memtable: it resumes only once that much is free.
  PrivateTmpfs tmpfs(data_dir, "256m");
  if (!tmpfs.mounted()) {
    GTEST_SKIP() << "THE DISK-FULL TEST DID NOT RUN: it needs root to mount a tmpfs in a "
                    "private mount namespace ("
                 << tmpfs.error() << ")";
  }
  // All but 2 MiB taken before the collector starts: its write-ahead log cannot
  // preallocate a block (which would take the later writes on a full disk), so the disk
  // is full for it as soon as the rest is taken.
  const std::string taken_before = data_dir + "/taken-before-start";
  ASSERT_GT(FillFilesystem(taken_before, 2 << 20), 0u);
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, collector_dir.path()).value();
  const std::string address = collector->address();
  const CollectorTrust admin = collector->admin();
  ASSERT_TRUE(test::PutAsset(address, admin, "web", v1::IG1).ok());
  const CollectorTrust probe = test::EnrollAgent(address, admin, "probe", {"web"}).value();
  const std::string agent_dir = dir.path().string();
  test::FaultAgentOptions options;
  options.enrollment_token = test::CreateEnrollmentToken(address, admin, {"web"}).value();
  options.agent_id = "host-1";
  options.collector_address = address;
  options.ca_file = collector->ca_file();
  options.assets = {"web"};
  options.pack = POSTURA_SOURCE_DIR "/tests/testdata/agent/packs/fast.yaml";
  options.root = POSTURA_SOURCE_DIR "/tests/testdata/agent/hardened";
  auto agent = test::StartFaultAgent(POSTURA_AGENT_BIN, agent_dir, options).value();
  ASSERT_TRUE(test::WaitForStoredSequence(address, admin, "host-1", 2, absl::Seconds(30)));

  // The disk fills: the agent's next commit fails, and from then on ingest refuses.
  const std::string filler = data_dir + "/filler";
  ASSERT_GT(FillFilesystem(filler), 0u);
  ASSERT_TRUE(WaitForStats(*collector, absl::Seconds(20),
                           [](const v1::IngestStats& s) { return s.store_write_stopped(); }))
      << "ingest never noticed the full disk; " << FreeBytes(data_dir)
      << " bytes free; the collector's log ends:\n"
      << Tail((collector_dir.path() / "collector.log").string());
  const uint64_t stored_when_full =
      test::FindAgent(address, admin, "host-1").value().last_stored_sequence();
  const grpc::Status refused = SendOneBatch(address, probe, "probe", 1);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "disk is full"))
      << refused.error_message();
  // Queries go on while nothing can be written.
  {
    auto query = v1::QueryService::NewStub(test::FreshChannel(address, admin));
    grpc::ClientContext context;
    v1::GetAssetScoreRequest request;
    request.set_asset_id("web");
    v1::AssetScore score;
    EXPECT_TRUE(query->GetAssetScore(&context, request, &score).ok());
  }
  absl::SleepFor(absl::Seconds(3));  // The agent keeps checking and spooling.
  const v1::IngestStats full = test::GetIngestStats(address, admin).value();
  EXPECT_TRUE(full.store_write_stopped());
  EXPECT_TRUE(absl::StrContains(full.store_write_error(), "No space left"))
      << full.store_write_error();
  EXPECT_GT(full.batches_refused(), 0u);
  EXPECT_EQ(test::FindAgent(address, admin, "host-1").value().last_stored_sequence(),
            stored_when_full)
      << "nothing is acknowledged while the disk is full";
  const std::string agent_log = test::FaultAgentLog(agent_dir);
  EXPECT_GT(CountInFile(agent_log, "disk is full"), 0)
      << "the agent was not told why; its log ends:\n"
      << Tail(agent_log);

  // Space returns: the collector resumes by itself and the agent's backlog arrives.
  ASSERT_TRUE(std::filesystem::remove(filler));
  ASSERT_TRUE(std::filesystem::remove(taken_before));
  EXPECT_TRUE(WaitForStats(*collector, absl::Seconds(40), [](const v1::IngestStats& s) {
    return !s.store_write_stopped();
  })) << "ingest did not resume by itself";
  EXPECT_TRUE(test::WaitForStoredSequence(address, admin, "host-1", stored_when_full + 3,
                                          absl::Seconds(60)))
      << "the backlog did not arrive after space returned";
  EXPECT_EQ(SendOneBatch(address, probe, "probe", 2).error_code(), grpc::StatusCode::OK);

  // Everything the agent created arrives: stop it, see how far it numbered, and let a
  // fresh run of it deliver whatever it still held.
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  const test::SpoolFigures spool = test::ReadStoppedSpool(agent_dir).value();
  const uint64_t created = spool.last_sequence;
  EXPECT_EQ(spool.dropped_items, 0u);
  agent = test::StartFaultAgent(POSTURA_AGENT_BIN, agent_dir, options).value();
  EXPECT_TRUE(test::WaitForStoredSequence(address, admin, "host-1", created, absl::Seconds(60)));
  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(), 0);
  EXPECT_EQ(collector->Stop(), 0);
  const std::string collector_log = (collector_dir.path() / "collector.log").string();
  EXPECT_EQ(CountInFile(collector_log, "ingest stopped: the store cannot write"), 1)
      << "one stop, logged once";
  EXPECT_EQ(CountInFile(collector_log, "ingest resumed"), 1);

  // Exactly once: every batch of host-1 from the first to the last it created is stored,
  // each with its 3 items (2 checks: 2 + 1 outcomes) once; the refused probe batch is not.
  auto store = collector::EvidenceStore::Open({.path = data_dir + "/store"}).value();
  std::map<uint64_t, int> host_items_per_batch;
  std::map<uint64_t, int> probe_items_per_batch;
  ASSERT_TRUE(store
                  ->ForEachEvidence([&](const v1::StoredEvidence& e) {
                    auto& per_batch =
                        e.agent_id() == "probe" ? probe_items_per_batch : host_items_per_batch;
                    ++per_batch[e.sequence()];
                  })
                  .ok());
  // (The agent's second run may have added batches after `created`.)
  ASSERT_GE(host_items_per_batch.size(), created);
  uint64_t expected_sequence = 1;
  for (const auto& [sequence, items] : host_items_per_batch) {
    EXPECT_EQ(sequence, expected_sequence++) << "a batch is missing before " << sequence;
    EXPECT_EQ(items, 3) << "batch " << sequence;
  }
  EXPECT_EQ(probe_items_per_batch, (std::map<uint64_t, int>{{2, 1}}));
}

}  // namespace
}  // namespace postura
