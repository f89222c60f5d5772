#include "collector/alerting/syslog_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "collector/alerting/syslog_test_receiver.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura::collector {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr absl::Duration kWait = absl::Seconds(10);

v1::AlertTransition FiringTransition() {
  v1::AlertTransition transition;
  transition.set_id("asset-below-target/asset/web-01");
  transition.set_rule("asset-below-target");
  transition.set_kind("target_missed");
  transition.set_state(v1::AlertTransition::FIRING);
  transition.set_asset_id("web-01");
  transition.set_at_unix_nanos(1'796'000'000'123'456'789);
  transition.set_summary("asset web-01 meets 1 of its 2 targets");
  transition.set_sequence(1);
  transition.set_idempotency_key("asset-below-target/asset/web-01#1");
  return transition;
}

v1::AlertTransition ResolvedTransition() {
  v1::AlertTransition transition = FiringTransition();
  transition.set_state(v1::AlertTransition::RESOLVED);
  transition.set_sequence(2);
  transition.set_idempotency_key("asset-below-target/asset/web-01#2");
  transition.set_summary("asset web-01 meets its 2 targets");
  return transition;
}

SyslogSinkOptions Options(SyslogTransport transport, uint16_t port) {
  v1::SyslogSinkConfig config;
  config.set_address(absl::StrCat("127.0.0.1:", port));
  config.set_transport(transport == SyslogTransport::kTcp ? "tcp" : "udp");
  config.set_hostname("collector-test");
  config.set_timeout("2s");
  absl::StatusOr<SyslogSinkOptions> options = SyslogSinkOptionsFromConfig(config, 1);
  EXPECT_TRUE(options.ok()) << options.status();
  return *options;
}

// Every field of the firing transition, as a receiver decodes it.
void ExpectFiringMessage(absl::string_view message) {
  absl::StatusOr<test::ParsedSyslog> parsed = test::ParseSyslogMessage(message);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << message;
  EXPECT_EQ(parsed->priority, 16 * 8 + 4);  // local0.warning
  EXPECT_EQ(parsed->version, 1);
  EXPECT_EQ(parsed->timestamp, "2026-11-30T00:53:20.123456Z");
  EXPECT_EQ(parsed->hostname, "collector-test");
  EXPECT_EQ(parsed->app_name, "postura");
  EXPECT_EQ(parsed->proc_id, std::to_string(getpid()));
  EXPECT_EQ(parsed->msg_id, "target_missed");
  EXPECT_EQ(parsed->sd_id, "postura-alert@32473");
  EXPECT_THAT(parsed->params,
              UnorderedElementsAre(Pair("id", "asset-below-target/asset/web-01"),
                                   Pair("rule", "asset-below-target"),
                                   Pair("kind", "target_missed"), Pair("state", "firing"),
                                   Pair("asset", "web-01"), Pair("outcome", ""), Pair("agent", ""),
                                   Pair("idempotency_key", "asset-below-target/asset/web-01#1")));
  EXPECT_TRUE(parsed->has_bom);
  EXPECT_EQ(parsed->msg, "asset web-01 meets 1 of its 2 targets");
}

TEST(SyslogSinkTest, UdpReceiverDecodesEveryFieldOfOneDatagram) {
  absl::StatusOr<std::unique_ptr<test::UdpSyslogReceiver>> receiver =
      test::UdpSyslogReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  SyslogSink sink(Options(SyslogTransport::kUdp, (*receiver)->port()));
  EXPECT_EQ(sink.name(), "syslog-1");
  ASSERT_TRUE(sink.Deliver(FiringTransition()).ok());
  absl::StatusOr<std::string> datagram = (*receiver)->Receive(kWait);
  ASSERT_TRUE(datagram.ok()) << datagram.status();
  ExpectFiringMessage(*datagram);

  ASSERT_TRUE(sink.Deliver(ResolvedTransition()).ok());
  datagram = (*receiver)->Receive(kWait);
  ASSERT_TRUE(datagram.ok()) << datagram.status();
  absl::StatusOr<test::ParsedSyslog> resolved = test::ParseSyslogMessage(*datagram);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->priority, 16 * 8 + 5);  // local0.notice
  EXPECT_EQ(resolved->params["state"], "resolved");
  EXPECT_EQ(resolved->params["idempotency_key"], "asset-below-target/asset/web-01#2");
}

TEST(SyslogSinkTest, TcpReceiverSplitsOctetCountedFramesOnOneConnection) {
  absl::StatusOr<std::unique_ptr<test::TcpSyslogReceiver>> receiver =
      test::TcpSyslogReceiver::Start();
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  SyslogSink sink(Options(SyslogTransport::kTcp, (*receiver)->port()));
  v1::AlertTransition escaped = FiringTransition();
  escaped.set_outcome_id(R"(PR.AA-01 "quoted" \ [x])");
  escaped.set_agent_id("agent-7");
  for (const v1::AlertTransition& transition :
       {FiringTransition(), ResolvedTransition(), escaped}) {
    ASSERT_TRUE(sink.Deliver(transition).ok());
  }
  const std::vector<std::string> messages = (*receiver)->WaitForMessages(3, kWait);
  ASSERT_THAT(messages, SizeIs(3));
  ExpectFiringMessage(messages[0]);
  absl::StatusOr<test::ParsedSyslog> resolved = test::ParseSyslogMessage(messages[1]);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->params["state"], "resolved");
  absl::StatusOr<test::ParsedSyslog> third = test::ParseSyslogMessage(messages[2]);
  ASSERT_TRUE(third.ok()) << third.status() << "\n" << messages[2];
  EXPECT_EQ(third->params["outcome"], R"(PR.AA-01 "quoted" \ [x])");
  EXPECT_EQ(third->params["agent"], "agent-7");
  EXPECT_THAT(messages[2], HasSubstr(R"(outcome="PR.AA-01 \"quoted\" \\ [x\]")"));
}

TEST(SyslogSinkTest, TcpReceiverDownIsAnErrorAndTheSameTransitionArrivesOnceItIsUp) {
  absl::StatusOr<std::unique_ptr<test::RefusingPort>> refusing = test::RefusingPort::Reserve();
  ASSERT_TRUE(refusing.ok()) << refusing.status();
  const uint16_t port = (*refusing)->port();

  SyslogSink sink(Options(SyslogTransport::kTcp, port));
  const absl::Status down = sink.Deliver(FiringTransition());
  EXPECT_TRUE(absl::IsUnavailable(down)) << down;
  EXPECT_THAT(down, HasMessage(HasSubstr(absl::StrCat("tcp 127.0.0.1:", port,
                                                      ": cannot connect: Connection refused"))));

  refusing->reset();  // The receiver comes up.
  absl::StatusOr<std::unique_ptr<test::TcpSyslogReceiver>> up =
      test::TcpSyslogReceiver::Start(port);
  ASSERT_TRUE(up.ok()) << up.status();
  ASSERT_TRUE(sink.Deliver(FiringTransition()).ok());
  const std::vector<std::string> messages = (*up)->WaitForMessages(1, kWait);
  ASSERT_THAT(messages, SizeIs(1));
  ExpectFiringMessage(messages[0]);
}

TEST(SyslogSinkTest, TcpReceiverThatRestartedGetsTheNextMessageOnANewConnection) {
  absl::StatusOr<std::unique_ptr<test::TcpSyslogReceiver>> first = test::TcpSyslogReceiver::Start();
  ASSERT_TRUE(first.ok()) << first.status();
  const uint16_t port = (*first)->port();
  SyslogSink sink(Options(SyslogTransport::kTcp, port));
  ASSERT_TRUE(sink.Deliver(FiringTransition()).ok());
  ASSERT_THAT((*first)->WaitForMessages(1, kWait), SizeIs(1));
  first->reset();  // Closes the sink's connection from the far side.

  absl::StatusOr<std::unique_ptr<test::TcpSyslogReceiver>> second =
      test::TcpSyslogReceiver::Start(port);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(sink.Deliver(ResolvedTransition()).ok());
  const std::vector<std::string> messages = (*second)->WaitForMessages(1, kWait);
  ASSERT_THAT(messages, SizeIs(1));
  absl::StatusOr<test::ParsedSyslog> parsed = test::ParseSyslogMessage(messages[0]);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->params["state"], "resolved");
}

// A receiver that accepts and never reads: once the socket buffers are full, Deliver
// gives up after its timeout instead of blocking the delivery thread.
TEST(SyslogSinkTest, TcpReceiverThatNeverReadsTimesOutInsteadOfBlocking) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  const int small_buffer = 4096;
  setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &small_buffer, sizeof(small_buffer));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ASSERT_EQ(listen(listener, 1), 0);

  SyslogSinkOptions options = Options(SyslogTransport::kTcp, ntohs(address.sin_port));
  options.timeout = absl::Milliseconds(200);
  SyslogSink sink(options);
  v1::AlertTransition transition = FiringTransition();
  transition.set_summary(std::string(1500, 'x'));
  absl::Status status;
  absl::Duration last_call;
  int delivered = 0;
  for (; delivered < 200'000 && status.ok(); ++delivered) {
    const absl::Time start = absl::Now();
    status = sink.Deliver(transition);
    last_call = absl::Now() - start;
  }
  close(listener);
  EXPECT_TRUE(absl::IsUnavailable(status)) << status << " after " << delivered;
  EXPECT_THAT(status, HasMessage(HasSubstr("send timed out after 200ms")));
  EXPECT_GE(last_call, absl::Milliseconds(150));
  EXPECT_LT(last_call, absl::Seconds(5));
}

absl::Status OptionsError(const v1::SyslogSinkConfig& config) {
  return SyslogSinkOptionsFromConfig(config, 2).status();
}

v1::SyslogSinkConfig ValidConfig() {
  v1::SyslogSinkConfig config;
  config.set_address("logs.example.org:6514");
  return config;
}

TEST(SyslogSinkConfigTest, DefaultsAreUdpLocal0PosturaAndFiveSeconds) {
  absl::StatusOr<SyslogSinkOptions> options = SyslogSinkOptionsFromConfig(ValidConfig(), 2);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->name, "syslog-2");
  EXPECT_EQ(options->address.host, "logs.example.org");
  EXPECT_EQ(options->address.port, 6514);
  EXPECT_EQ(options->transport, SyslogTransport::kUdp);
  EXPECT_EQ(options->timeout, absl::Seconds(5));
  EXPECT_EQ(options->header.facility, 16);
  EXPECT_EQ(options->header.app_name, "postura");
  EXPECT_FALSE(options->header.hostname.empty());
  EXPECT_EQ(options->header.proc_id, std::to_string(getpid()));
}

TEST(SyslogSinkConfigTest, EveryKeyIsRead) {
  v1::SyslogSinkConfig config = ValidConfig();
  config.set_address("[::1]:514");
  config.set_transport("tcp");
  config.set_facility("daemon");
  config.set_app_name("postura-eu");
  config.set_hostname("collector.eu");
  config.set_timeout("750ms");
  config.set_name("siem");
  absl::StatusOr<SyslogSinkOptions> options = SyslogSinkOptionsFromConfig(config, 1);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->name, "siem");
  EXPECT_EQ(options->address.host, "::1");
  EXPECT_EQ(options->address.port, 514);
  EXPECT_EQ(options->transport, SyslogTransport::kTcp);
  EXPECT_EQ(options->header.facility, 3);
  EXPECT_EQ(options->header.app_name, "postura-eu");
  EXPECT_EQ(options->header.hostname, "collector.eu");
  EXPECT_EQ(options->timeout, absl::Milliseconds(750));
  config.set_facility("19");
  EXPECT_EQ(SyslogSinkOptionsFromConfig(config, 1)->header.facility, 19);
}

TEST(SyslogSinkConfigTest, BadAddressesAreRefusedWithTheReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "address: required: the receiver's host:port"},
      {"logs.example.org", "address: 'logs.example.org' is not host:port"},
      {":514", "address: ':514' has no host before the port"},
      {"logs:0", "address: 'logs:0' has no port 1-65535 after the last ':'"},
      {"logs:65536", "has no port 1-65535"},
      {"logs:syslog", "has no port 1-65535"},
      {"logs:+514", "has no port 1-65535"},
      {"::1:514", "address: '::1:514' has an IPv6 address without brackets"},
      {"[::1]514", "address: '[::1]514' is not [ipv6-address]:port"},
      {"[::1:514", "is not [ipv6-address]:port"},
  };
  for (const auto& [address, error] : cases) {
    v1::SyslogSinkConfig config = ValidConfig();
    config.set_address(address);
    EXPECT_THAT(OptionsError(config), HasMessage(HasSubstr(error))) << address;
  }
}

TEST(SyslogSinkConfigTest, BadTransportFacilityAppNameHostnameTimeoutAndNameAreRefused) {
  struct Case {
    void (*set)(v1::SyslogSinkConfig&);
    const char* error;
  };
  const Case cases[] = {
      {[](v1::SyslogSinkConfig& c) { c.set_transport("TCP"); },
       "transport: 'TCP' is not udp or tcp"},
      {[](v1::SyslogSinkConfig& c) { c.set_transport("tls"); }, "transport: 'tls' is not"},
      {[](v1::SyslogSinkConfig& c) { c.set_facility("local8"); },
       "facility: 'local8' is not a syslog facility: give a number 0-23 or one of kern"},
      {[](v1::SyslogSinkConfig& c) { c.set_facility("24"); }, "facility: '24' is not"},
      {[](v1::SyslogSinkConfig& c) { c.set_app_name("postura collector"); },
       "app_name: 'postura collector' must be printable ASCII without spaces"},
      {[](v1::SyslogSinkConfig& c) { c.set_app_name("caf\xC3\xA9"); }, "must be printable ASCII"},
      {[](v1::SyslogSinkConfig& c) { c.set_app_name(std::string(49, 'a')); },
       "app_name: longer than 48 characters"},
      {[](v1::SyslogSinkConfig& c) { c.set_hostname("host\tname"); },
       "hostname: 'host\tname' must be printable ASCII"},
      {[](v1::SyslogSinkConfig& c) { c.set_timeout("soon"); }, "timeout: 'soon' is not a duration"},
      {[](v1::SyslogSinkConfig& c) { c.set_timeout("50ms"); },
       "timeout: '50ms' is not between 100ms and 1m"},
      {[](v1::SyslogSinkConfig& c) { c.set_timeout("2m"); }, "is not between 100ms and 1m"},
      {[](v1::SyslogSinkConfig& c) { c.set_name("siem/eu"); },
       "name: 'siem/eu' may hold only letters, digits, '-', '_' and '.'"},
      {[](v1::SyslogSinkConfig& c) { c.set_name(std::string(65, 's')); },
       "name: longer than 64 characters"},
  };
  for (const Case& c : cases) {
    v1::SyslogSinkConfig config = ValidConfig();
    c.set(config);
    EXPECT_THAT(OptionsError(config), HasMessage(HasSubstr(c.error))) << c.error;
  }
}

}  // namespace
}  // namespace postura::collector
