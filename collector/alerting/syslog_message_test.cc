#include "collector/alerting/syslog_message.h"

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
using ::testing::UnorderedElementsAre;

SyslogHeader TestHeader() {
  SyslogHeader header;
  header.facility = kSyslogDefaultFacility;
  header.hostname = "collector-1";
  header.app_name = "postura";
  header.proc_id = "4242";
  return header;
}

SyslogAlert TestAlert() {
  SyslogAlert alert;
  alert.time = absl::FromUnixMicros(1'796'000'000'123'456);
  alert.firing = true;
  alert.alert_id = "a-7f3e";
  alert.rule = "web-targets";
  alert.kind = "target_missed";
  alert.asset = "web-1";
  alert.outcome = "PR.AA-01";
  alert.agent = "";
  alert.idempotency_key = "a-7f3e:1";
  alert.text = "web-1 misses its targets";
  return alert;
}

TEST(SyslogMessageTest, FiringAlertCarriesEveryFieldInItsPlace) {
  const std::string message = FormatSyslogMessage(TestHeader(), TestAlert());
  absl::StatusOr<test::ParsedSyslog> parsed = test::ParseSyslogMessage(message);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << message;
  EXPECT_EQ(parsed->priority, 16 * 8 + 4);  // local0.warning
  EXPECT_EQ(parsed->version, 1);
  EXPECT_EQ(parsed->timestamp, "2026-11-30T00:53:20.123456Z");
  EXPECT_EQ(parsed->hostname, "collector-1");
  EXPECT_EQ(parsed->app_name, "postura");
  EXPECT_EQ(parsed->proc_id, "4242");
  EXPECT_EQ(parsed->msg_id, "target_missed");
  EXPECT_EQ(parsed->sd_id, "postura-alert@32473");
  EXPECT_THAT(parsed->params,
              UnorderedElementsAre(Pair("id", "a-7f3e"), Pair("rule", "web-targets"),
                                   Pair("kind", "target_missed"), Pair("state", "firing"),
                                   Pair("asset", "web-1"), Pair("outcome", "PR.AA-01"),
                                   Pair("agent", ""), Pair("idempotency_key", "a-7f3e:1")));
  EXPECT_TRUE(parsed->has_bom);
  EXPECT_EQ(parsed->msg, "web-1 misses its targets");
}

TEST(SyslogMessageTest, ResolvedAlertIsANoticeInTheConfiguredFacility) {
  SyslogHeader header = TestHeader();
  header.facility = 3;  // daemon
  SyslogAlert alert = TestAlert();
  alert.firing = false;
  absl::StatusOr<test::ParsedSyslog> parsed =
      test::ParseSyslogMessage(FormatSyslogMessage(header, alert));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->priority, 3 * 8 + 5);
  EXPECT_EQ(parsed->params["state"], "resolved");
}

TEST(SyslogMessageTest, QuoteBackslashAndBracketAreEscapedInParamValues) {
  EXPECT_EQ(EscapeSdParamValue(R"(a"b\c]d[e=f)"), R"(a\"b\\c\]d[e=f)");
  SyslogAlert alert = TestAlert();
  alert.asset = R"(db "primary" \ rack]2)";
  alert.rule = "]";
  const std::string message = FormatSyslogMessage(TestHeader(), alert);
  EXPECT_THAT(message, HasSubstr(R"(asset="db \"primary\" \\ rack\]2")"));
  absl::StatusOr<test::ParsedSyslog> parsed = test::ParseSyslogMessage(message);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << message;
  EXPECT_EQ(parsed->params["asset"], R"(db "primary" \ rack]2)");
  EXPECT_EQ(parsed->params["rule"], "]");
}

TEST(SyslogMessageTest, EmptyHeaderFieldsAreTheNilValueAndOthersArePrintableAscii) {
  SyslogHeader header = TestHeader();
  header.hostname = "";
  header.proc_id = "";
  SyslogAlert alert = TestAlert();
  alert.kind = "kind with spaces\xC3\xA9";
  absl::StatusOr<test::ParsedSyslog> parsed =
      test::ParseSyslogMessage(FormatSyslogMessage(header, alert));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->hostname, "-");
  EXPECT_EQ(parsed->proc_id, "-");
  EXPECT_EQ(parsed->msg_id, "kind_with_spaces__");
  EXPECT_EQ(parsed->params["kind"], "kind with spaces\xC3\xA9");  // Values keep UTF-8.
}

TEST(SyslogMessageTest, LongTextIsCutToTheMessageLimitOnACharacterBoundary) {
  SyslogAlert alert = TestAlert();
  alert.text.clear();
  for (int i = 0; i < 1500; ++i) alert.text += "\xC3\xA9";  // 3000 bytes of 'é'.
  const std::string message = FormatSyslogMessage(TestHeader(), alert);
  EXPECT_LE(message.size(), kSyslogMaxMessageBytes);
  EXPECT_GE(message.size(), kSyslogMaxMessageBytes - 1);
  absl::StatusOr<test::ParsedSyslog> parsed = test::ParseSyslogMessage(message);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->msg.size() % 2, 0u);
  EXPECT_EQ(parsed->msg.substr(0, 4), "\xC3\xA9\xC3\xA9");
}

TEST(SyslogMessageTest, InvalidUtf8IsReplacedAndEmptyTextLeavesNoMsg) {
  SyslogAlert alert = TestAlert();
  alert.asset =
      "bad\xFF"
      "byte";
  alert.text = "";
  absl::StatusOr<test::ParsedSyslog> parsed =
      test::ParseSyslogMessage(FormatSyslogMessage(TestHeader(), alert));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->params["asset"],
            "bad\xEF\xBF\xBD"
            "byte");
  EXPECT_FALSE(parsed->has_bom);
  EXPECT_EQ(parsed->msg, "");
}

TEST(SyslogMessageTest, OctetCountingPrefixesTheLengthInBytes) {
  EXPECT_EQ(FrameOctetCounted("<132>1 x"), "8 <132>1 x");
  EXPECT_EQ(FrameOctetCounted("\xC3\xA9"), "2 \xC3\xA9");
}

TEST(SyslogMessageTest, FacilitiesByNameOrNumber) {
  EXPECT_EQ(*ParseSyslogFacility("local0"), 16);
  EXPECT_EQ(*ParseSyslogFacility("local7"), 23);
  EXPECT_EQ(*ParseSyslogFacility("kern"), 0);
  EXPECT_EQ(*ParseSyslogFacility("authpriv"), 10);
  EXPECT_EQ(*ParseSyslogFacility("0"), 0);
  EXPECT_EQ(*ParseSyslogFacility("23"), 23);
  for (const char* bad : {"24", "-1", "local8", "", "+3", " 3", "LOCAL0"}) {
    EXPECT_THAT(ParseSyslogFacility(bad).status(),
                HasMessage(HasSubstr("is not a syslog facility: give a number 0-23")))
        << bad;
  }
}

}  // namespace
}  // namespace postura::collector
