// The JetStream log against a real nats-server on loopback (tests/testing/nats_server.h):
// appends are stored once, repeats within the window are reported as duplicates; a
// consumer reads in order from the sequence it is opened at, whatever an earlier one of
// its name read or acknowledged, so a failed group is read again; a stream configured
// otherwise, bad options and an unreachable server are refused with clear errors; a server
// killed with SIGKILL and started again on its store keeps every acknowledged append; a
// stream over "prefix.>" keeping one message per subject holds the newest of each.

#include "collector/replication/jetstream_log.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class JetStreamLogTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<test::NatsServer>> server =
        test::NatsServer::Start(dir_.path().string());
    if (absl::IsNotFound(server.status())) GTEST_SKIP() << server.status();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  JetStreamLogOptions Options() {
    return {.servers = {server_->url()}, .stream = "EVIDENCE", .subject = "postura.evidence"};
  }

  std::unique_ptr<JetStreamLog> Open() {
    absl::StatusOr<std::unique_ptr<JetStreamLog>> log = JetStreamLog::Open(Options());
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  // Everything `consumer` reads within a second, applied (and acknowledged).
  static std::vector<std::string> ReadAll(LogConsumer& consumer) {
    std::vector<std::string> read;
    while (true) {
      absl::StatusOr<int> applied =
          consumer.Next(10, absl::Milliseconds(300), [&](std::vector<LogMessage>& messages) {
            for (const LogMessage& message : messages) read.push_back(message.data);
            return absl::OkStatus();
          });
      EXPECT_TRUE(applied.ok()) << applied.status();
      if (!applied.ok() || *applied == 0) return read;
    }
  }

  test::TempDir dir_;
  std::unique_ptr<test::NatsServer> server_;
};

TEST_F(JetStreamLogTest, AnAppendIsStoredOnceAndARepeatedIdIsADuplicate) {
  std::unique_ptr<JetStreamLog> log = Open();
  ASSERT_NE(log, nullptr);
  absl::StatusOr<Appended> first = log->Append("agent-1/1", "batch one");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->sequence, 1u);
  EXPECT_FALSE(first->duplicate);
  absl::StatusOr<Appended> again = log->Append("agent-1/1", "batch one");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->sequence, 1u);
  absl::StatusOr<Appended> second = log->Append("agent-1/2", "batch two");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->sequence, 2u);
  std::unique_ptr<LogConsumer> consumer = log->Consumer("replica-a", 1).value();
  EXPECT_THAT(ReadAll(*consumer), ElementsAre("batch one", "batch two"));
  EXPECT_EQ(log->Append("", "no id").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(JetStreamLogTest, AGroupWhoseApplyFailedIsReadAgainInOrderFromWhereTheReaderIsOpened) {
  std::unique_ptr<JetStreamLog> log = Open();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(log->Append(absl::StrCat("id-", i), absl::StrCat(i)).ok());
  }
  std::unique_ptr<LogConsumer> consumer = log->Consumer("replica-a", 1).value();
  std::vector<uint64_t> sequences;
  // The first three come together; applying them fails.
  absl::StatusOr<int> applied =
      consumer->Next(3, absl::Seconds(1), [&](std::vector<LogMessage>& messages) {
        for (const LogMessage& message : messages) sequences.push_back(message.sequence);
        return absl::UnavailableError("store full");
      });
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(sequences, ElementsAre(1u, 2u, 3u));
  // Opened again at the first of them, the reader gets them again, then the rest, once.
  consumer = log->Consumer("replica-a", 1).value();
  EXPECT_THAT(ReadAll(*consumer), ElementsAre("1", "2", "3", "4", "5"));
  // Another reader of its own reads from where it is opened.
  std::unique_ptr<LogConsumer> other = log->Consumer("replica-b", 4).value();
  EXPECT_THAT(ReadAll(*other), ElementsAre("4", "5"));
}

TEST_F(JetStreamLogTest, AReaderOpenedAgainReadsFromItsNewStartWhateverWasAcknowledged) {
  std::unique_ptr<JetStreamLog> log = Open();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 3; ++i)
    ASSERT_TRUE(log->Append(absl::StrCat("id-", i), absl::StrCat(i)).ok());
  {
    std::unique_ptr<LogConsumer> consumer = log->Consumer("replica-a", 1).value();
    EXPECT_THAT(ReadAll(*consumer), ElementsAre("1", "2", "3"));
  }
  ASSERT_TRUE(log->Append("id-4", "4").ok());
  EXPECT_THAT(ReadAll(*log->Consumer("replica-a", 4).value()), ElementsAre("4"));
  EXPECT_THAT(ReadAll(*log->Consumer("replica-a", 2).value()), ElementsAre("2", "3", "4"));
}

TEST_F(JetStreamLogTest, AKilledServerKeepsEveryAcknowledgedAppend) {
  const std::string store = dir_.path().string();
  {
    std::unique_ptr<JetStreamLog> log = Open();
    ASSERT_NE(log, nullptr);
    for (int i = 1; i <= 20; ++i) {
      ASSERT_TRUE(log->Append(absl::StrCat("id-", i), absl::StrCat("item ", i)).ok());
    }
  }
  server_->Kill();
  absl::StatusOr<std::unique_ptr<test::NatsServer>> restarted = test::NatsServer::Start(store);
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  server_ = *std::move(restarted);
  std::unique_ptr<JetStreamLog> log = Open();
  ASSERT_NE(log, nullptr);
  std::unique_ptr<LogConsumer> consumer = log->Consumer("replica-a", 1).value();
  const std::vector<std::string> read = ReadAll(*consumer);
  ASSERT_EQ(read.size(), 20u);
  EXPECT_EQ(read.front(), "item 1");
  EXPECT_EQ(read.back(), "item 20");
}

TEST_F(JetStreamLogTest, AStreamConfiguredOtherwiseIsRefusedNotChanged) {
  ASSERT_NE(Open(), nullptr);
  JetStreamLogOptions other = Options();
  other.subject = "postura.summaries";
  absl::StatusOr<std::unique_ptr<JetStreamLog>> refused = JetStreamLog::Open(other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("exists with another subject"));
  EXPECT_NE(Open(), nullptr);  // The stream is as it was.
}

TEST_F(JetStreamLogTest, BadOptionsAndAnUnreachableServerAreNamed) {
  JetStreamLogOptions options = Options();
  options.stream = "has.dots";
  EXPECT_EQ(JetStreamLog::Open(options).status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* subject : {"postura.*", "postura.>.x", ">", "postura..x", ""}) {
    options = Options();
    options.subject = subject;
    EXPECT_EQ(JetStreamLog::Open(options).status().code(), absl::StatusCode::kInvalidArgument)
        << subject;
  }
  options = Options();
  options.replicas = 2;
  EXPECT_EQ(JetStreamLog::Open(options).status().code(), absl::StatusCode::kInvalidArgument);
  options = Options();
  options.servers = {"nats://127.0.0.1:1"};  // Nothing listens on port 1.
  options.timeout = absl::Milliseconds(500);
  absl::StatusOr<std::unique_ptr<JetStreamLog>> unreachable = JetStreamLog::Open(options);
  EXPECT_EQ(unreachable.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(unreachable.status().message(), HasSubstr("nats://127.0.0.1:1"));
  std::unique_ptr<JetStreamLog> log = Open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->Consumer("has spaces", 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log->Consumer("replica-a", 0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(JetStreamLogTest, AStreamOfOneMessagePerSubjectKeepsTheNewestOfEach) {
  JetStreamLogOptions options = {.servers = {server_->url()},
                                 .stream = "SECTOR",
                                 .subject = "postura.sector.>",
                                 .max_messages_per_subject = 1};
  std::unique_ptr<JetStreamLog> log = JetStreamLog::Open(options).value();
  ASSERT_TRUE(log->AppendTo("postura.sector.health.a", "health/a/1", "a1").ok());
  ASSERT_TRUE(log->AppendTo("postura.sector.water.a", "water/a/1", "w1").ok());
  ASSERT_TRUE(log->AppendTo("postura.sector.health.a", "health/a/2", "a2").ok());
  std::vector<std::string> read;
  std::unique_ptr<LogConsumer> consumer = log->Consumer("sector", 1).value();
  while (consumer
             ->Next(10, absl::Milliseconds(300),
                    [&](std::vector<LogMessage>& messages) {
                      for (const LogMessage& m : messages) read.push_back(m.subject + "=" + m.data);
                      return absl::OkStatus();
                    })
             .value() > 0) {
  }
  EXPECT_THAT(read, ElementsAre("postura.sector.water.a=w1", "postura.sector.health.a=a2"));

  for (const char* outside : {"postura.sector", "postura.sector.", "postura.other.x",
                              "postura.sector.*", "postura.sector.a b"}) {
    EXPECT_EQ(log->AppendTo(outside, "id", "x").status().code(), absl::StatusCode::kInvalidArgument)
        << outside;
  }
  options.max_messages_per_subject = 0;
  EXPECT_THAT(std::string(JetStreamLog::Open(options).status().message()),
              HasSubstr("1 messages per subject"));
  options.subject = "postura.*.x";
  EXPECT_EQ(JetStreamLog::Open(options).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace postura::collector
