// The XCCDF/ARF reader on small documents written here, and on hostile ones: entity
// bombs, external entities, truncation, the wrong root, a file over the limit.

#include "agent/checks/openscap/xccdf_results.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent::openscap {
namespace {

using ::testing::HasSubstr;

constexpr char kRules[] = R"(
  <Rule id="xccdf_org.example_rule_ssh_root" severity="high" selected="true">
    <title>Disable SSH root login</title>
    <description>Long <xhtml:code xmlns:xhtml="http://www.w3.org/1999/xhtml">text</xhtml:code></description>
    <reference href="https://nvlpubs.nist.gov/nistpubs/CSWP/NIST.CSWP.04162018.pdf">PR.AC-4</reference>
    <reference href="http://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-53r4.pdf">AC-17(a)</reference>
  </Rule>
  <Group id="xccdf_org.example_group_g"><title>Group</title>
    <Rule id="xccdf_org.example_rule_nested"><title>Nested &amp; escaped</title></Rule>
  </Group>)";

constexpr char kTestResult[] = R"(
  <TestResult id="xccdf_org.open-scap_testresult_p" end-time="2026-12-05T04:22:39+01:00">
    <benchmark href="#xccdf_org.example_benchmark_b" id="xccdf_org.example_benchmark_b"/>
    <title>OSCAP Scan Result</title>
    <profile idref="xccdf_org.example_profile_p"/>
    <rule-result idref="xccdf_org.example_rule_ssh_root"><result>fail</result></rule-result>
    <rule-result idref="xccdf_org.example_rule_nested"><result>pass</result></rule-result>
    <rule-result idref="xccdf_org.example_rule_nested"><result>error</result></rule-result>
    <rule-result idref="xccdf_org.example_rule_other"><result> notapplicable </result></rule-result>
  </TestResult>)";

std::string XccdfDocument() {
  return absl::StrCat(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_org.example_benchmark_b">)",
      kRules, kTestResult, "</Benchmark>\n");
}

std::string ArfDocument() {
  return absl::StrCat(R"(<?xml version="1.0"?>
<arf:asset-report-collection xmlns:arf="http://scap.nist.gov/schema/asset-reporting-format/1.1"
    xmlns:core="http://scap.nist.gov/schema/reporting-core/1.1"
    xmlns:xccdf="http://checklists.nist.gov/xccdf/1.2">
 <arf:report-requests><arf:report-request id="r"><arf:content>
  <ds:data-stream-collection xmlns:ds="http://scap.nist.gov/schema/scap/source/1.2">
   <ds:component id="c"><Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="b">)",
                      kRules, R"(</Benchmark></ds:component>
  </ds:data-stream-collection></arf:content></arf:report-request></arf:report-requests>
 <arf:reports><arf:report id="x"><arf:content>)",
                      absl::StrReplaceAll(kTestResult, {{"<TestResult ",
                                                         "<TestResult xmlns=\"http://checklists."
                                                         "nist.gov/xccdf/1.2\" "}}),
                      R"(</arf:content></arf:report></arf:reports>
</arf:asset-report-collection>)");
}

void ExpectExampleResults(const XccdfResults& results) {
  EXPECT_EQ(results.test_result_id, "xccdf_org.open-scap_testresult_p");
  EXPECT_EQ(results.profile_id, "xccdf_org.example_profile_p");
  EXPECT_EQ(results.end_time, "2026-12-05T04:22:39+01:00");
  ASSERT_EQ(results.rule_results.size(), 3u);
  EXPECT_EQ(results.rule_results[0].rule_id, "xccdf_org.example_rule_ssh_root");
  EXPECT_EQ(results.rule_results[0].outcome, RuleOutcome::kFail);
  // Reported twice: the worse result stands.
  EXPECT_EQ(results.rule_results[1].outcome, RuleOutcome::kError);
  EXPECT_EQ(results.rule_results[2].outcome, RuleOutcome::kNotApplicable);
  ASSERT_EQ(results.rules.size(), 2u);
  const XccdfRule& ssh = results.rules.at("xccdf_org.example_rule_ssh_root");
  EXPECT_EQ(ssh.title, "Disable SSH root login");
  EXPECT_EQ(ssh.severity, "high");
  ASSERT_EQ(ssh.references.size(), 2u);
  EXPECT_EQ(ssh.references[0].text, "PR.AC-4");
  EXPECT_THAT(ssh.references[1].href, HasSubstr("800-53r4"));
  EXPECT_EQ(ssh.references[1].text, "AC-17(a)");
  const XccdfRule& nested = results.rules.at("xccdf_org.example_rule_nested");
  EXPECT_EQ(nested.title, "Nested & escaped");
  EXPECT_EQ(nested.severity, "unknown");
}

TEST(XccdfResultsTest, ReadsAnXccdfResultsFile) {
  absl::StatusOr<XccdfResults> results = ParseXccdfResults(XccdfDocument(), "results.xml");
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(results->benchmark_id, "#xccdf_org.example_benchmark_b");
  ExpectExampleResults(*results);
}

TEST(XccdfResultsTest, ReadsTheTimesScannersWrite) {
  const absl::Time expected = absl::FromUnixSeconds(1796440959);  // 2026-12-05T03:22:39Z
  EXPECT_EQ(*ParseXccdfTime("2026-12-05T04:22:39+01:00"), expected);
  EXPECT_EQ(*ParseXccdfTime("2026-12-05T03:22:39Z"), expected);
  EXPECT_EQ(*ParseXccdfTime("2026-12-05T03:22:39"), expected);  // No zone: UTC.
  EXPECT_EQ(*ParseXccdfTime(" 2026-12-05T03:22:39.5Z "), expected + absl::Milliseconds(500));
  for (const char* bad : {"", "yesterday", "2026-13-05T03:22:39Z", "2026-12-05"}) {
    absl::StatusOr<absl::Time> time = ParseXccdfTime(bad);
    EXPECT_FALSE(time.ok()) << bad;
    EXPECT_THAT(time.status().message(), HasSubstr("not an xsd:dateTime"));
  }
}

TEST(XccdfResultsTest, ReadsAnArfReport) {
  absl::StatusOr<XccdfResults> results = ParseXccdfResults(ArfDocument(), "arf.xml");
  ASSERT_TRUE(results.ok()) << results.status();
  ExpectExampleResults(*results);
}

TEST(XccdfResultsTest, ReadsABareTestResultWithoutRuleDefinitions) {
  absl::StatusOr<XccdfResults> results = ParseXccdfResults(
      absl::StrReplaceAll(kTestResult, {{"<TestResult ",
                                         "<TestResult xmlns=\"http://checklists.nist.gov/"
                                         "xccdf/1.2\" "}}),
      "bare.xml");
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(results->rule_results.size(), 3u);
  EXPECT_TRUE(results->rules.empty());
}

TEST(XccdfResultsTest, ReadsTheFileInChunksLikeTheText) {
  test::TempDir dir;
  // Past one 256 KiB chunk, so that elements straddle the chunks' edges.
  std::string padding;
  for (int i = 0; i < 20000; ++i) {
    absl::StrAppend(&padding, "<Rule id=\"xccdf_org.example_rule_pad", i,
                    "\"><title>Padding</title></Rule>\n");
  }
  std::string text = XccdfDocument();
  text.insert(text.find("<TestResult"), padding);
  absl::StatusOr<XccdfResults> results = ReadXccdfResultsFile(dir.WriteFile("results.xml", text));
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ(results->rules.size(), 20002u);
  EXPECT_EQ(results->rule_results.size(), 3u);
}

void ExpectRefused(absl::string_view text, absl::string_view problem) {
  absl::StatusOr<XccdfResults> results = ParseXccdfResults(text, "hostile.xml");
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(results.status().message(), HasSubstr("hostile.xml"));
  EXPECT_THAT(results.status().message(), HasSubstr(problem));
}

TEST(XccdfResultsTest, RefusesABillionLaughs) {
  std::string bomb = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n";
  for (int i = 1; i < 10; ++i) {
    absl::StrAppend(&bomb, " <!ENTITY lol", i, " \"");
    for (int j = 0; j < 10; ++j)
      absl::StrAppend(&bomb, i == 1 ? "&lol;" : absl::StrCat("&lol", i - 1, ";"));
    bomb += "\">\n";
  }
  bomb += "]>\n<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\">&lol9;</Benchmark>";
  ExpectRefused(bomb, "declares entity 'lol'");
}

TEST(XccdfResultsTest, RefusesAnExternalEntity) {
  ExpectRefused(R"(<?xml version="1.0"?>
<!DOCTYPE Benchmark [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2"><TestResult id="t">
<rule-result idref="r"><result>&xxe;</result></rule-result></TestResult></Benchmark>)",
                "declares entity 'xxe'");
  ExpectRefused(R"(<?xml version="1.0"?>
<!DOCTYPE Benchmark [ <!ENTITY % remote SYSTEM "http://127.0.0.1:1/x.dtd"> %remote; ]>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2"/>)",
                "declares entity 'remote'");
}

TEST(XccdfResultsTest, RefusesAnUndeclaredEntityReference) {
  ExpectRefused(R"(<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2">&passwd;</Benchmark>)",
                "malformed XML");
}

TEST(XccdfResultsTest, RefusesATruncatedFileNamingTheLine) {
  const std::string text = XccdfDocument();
  ExpectRefused(text.substr(0, text.find("<rule-result idref=\"xccdf_org.example_rule_nested")),
                "malformed XML");
  ExpectRefused("", "malformed XML");
  ExpectRefused("<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\"><Rule id=\"a\">",
                "line 1");
}

TEST(XccdfResultsTest, RefusesTheWrongRoot) {
  ExpectRefused("<html><body/></html>", "the root element is {}html");
  ExpectRefused(R"(<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1"/>)",
                "XCCDF 1.1 is not supported");
}

TEST(XccdfResultsTest, RefusesContentWithoutResults) {
  ExpectRefused(absl::StrCat(R"(<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2">)", kRules,
                             "</Benchmark>"),
                "no XCCDF 1.2 TestResult");
}

TEST(XccdfResultsTest, RefusesBadRuleResults) {
  auto with = [](absl::string_view rule_result) {
    return absl::StrCat(R"(<TestResult xmlns="http://checklists.nist.gov/xccdf/1.2" id="t">)",
                        rule_result, "</TestResult>");
  };
  ExpectRefused(with("<rule-result idref=\"r\"><result>passed</result></rule-result>"),
                "rule-result 'r' has result 'passed'");
  ExpectRefused(with("<rule-result idref=\"r\"></rule-result>"), "rule-result 'r' has no result");
  ExpectRefused(with("<rule-result><result>pass</result></rule-result>"), "has no idref");
  ExpectRefused(absl::StrCat("<a:asset-report-collection xmlns:a=\"http://scap.nist.gov/schema/"
                             "asset-reporting-format/1.1\">",
                             with(""), with(""), "</a:asset-report-collection>"),
                "more than one TestResult");
}

TEST(XccdfResultsTest, RefusesAFileOverTheLimitBeforeReadingIt) {
  test::TempDir dir;
  const std::string path = (dir.path() / "big.xml").string();
  {
    // 70 MB: a valid start and then text, written here, never committed.
    std::ofstream out(path, std::ios::binary);
    out << "<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\"><title>";
    const std::string block(1 << 20, 'x');
    for (int i = 0; i < 70; ++i) out << block;
    out << "</title></Benchmark>";
  }
  absl::StatusOr<XccdfResults> results = ReadXccdfResultsFile(path);
  ASSERT_FALSE(results.ok());
  EXPECT_THAT(results.status().message(), HasSubstr(path));
  EXPECT_THAT(results.status().message(), HasSubstr("70.0 MiB, over the limit of 64.0 MiB"));
  // A smaller configured limit applies to text too.
  absl::StatusOr<XccdfResults> small =
      ParseXccdfResults(XccdfDocument(), "small.xml", XccdfParseOptions{.max_bytes = 100});
  EXPECT_THAT(small.status().message(), HasSubstr("over the limit"));
}

TEST(XccdfResultsTest, RefusesMoreRuleDataThanTheLimitToKeep) {
  // Small in bytes, many items: 20,000 references of 32 bytes each in one rule.
  std::string text = R"(<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2"><Rule id="r">)";
  for (int i = 0; i < 20000; ++i) text += "<reference href=\"\">x</reference>";
  text += "</Rule></Benchmark>";
  absl::StatusOr<XccdfResults> results = ParseXccdfResults(
      text, "many.xml", XccdfParseOptions{.max_bytes = 64 << 20, .max_kept_bytes = 1 << 20});
  ASSERT_FALSE(results.ok());
  EXPECT_THAT(results.status().message(),
              HasSubstr("many.xml: line 1: more rule data than the limit of 1.0 MiB to keep"));
  // The default limit takes it.
  EXPECT_THAT(ParseXccdfResults(text, "many.xml").status().message(),
              HasSubstr("no XCCDF 1.2 TestResult"));
}

TEST(XccdfResultsTest, NamesAMissingOrSpecialFile) {
  absl::StatusOr<XccdfResults> missing = ReadXccdfResultsFile("/nonexistent/results.xml");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/results.xml"));
  EXPECT_THAT(ReadXccdfResultsFile("/dev/null").status().message(),
              HasSubstr("not a regular file"));
}

TEST(XccdfResultsTest, KnowsEveryXccdfResultName) {
  for (absl::string_view name : {"pass", "fail", "error", "unknown", "notapplicable", "notchecked",
                                 "notselected", "informational", "fixed"}) {
    std::optional<RuleOutcome> outcome = ParseRuleOutcome(name);
    ASSERT_TRUE(outcome.has_value()) << name;
    EXPECT_EQ(RuleOutcomeName(*outcome), name);
  }
  EXPECT_FALSE(ParseRuleOutcome("PASS").has_value());
}

}  // namespace
}  // namespace postura::agent::openscap
