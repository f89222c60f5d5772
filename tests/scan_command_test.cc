// The real `postura-agent scan` as a process: the built-in pack on a fixture root, OpenSCAP
// results that oscap-chroot writes here, both together, hostile and bad inputs (exit 1,
// message naming the file, nothing printed), and the peak RSS of importing a 50 MB ARF.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/checks/check_pack.h"
#include "common/model/catalog.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::testing::HasSubstr;

constexpr char kProfile[] = "xccdf_org.ssgproject.content_profile_standard";
constexpr char kPasswdRule[] = "xccdf_org.ssgproject.content_rule_file_permissions_etc_passwd";

test::ProcessResult Scan(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), {POSTURA_AGENT_BIN, "scan"});
  absl::StatusOr<test::ProcessResult> run = test::RunProcess(arguments);
  EXPECT_TRUE(run.ok()) << run.status();
  return run.ok() ? *run : test::ProcessResult{};
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The layout docs/scan.md promises, key by key and type by type.
void ExpectDocumentedLayout(const nlohmann::json& json) {
  ASSERT_TRUE(json.is_object());
  EXPECT_EQ(json.size(), 3u);
  ASSERT_TRUE(json["checks"].is_array());
  ASSERT_TRUE(json["outcomes"].is_array());
  ASSERT_TRUE(json["sources"].is_array());
  const std::set<std::string> verdicts = {"pass", "fail", "not_applicable", "error"};
  for (const nlohmann::json& check : json["checks"]) {
    EXPECT_EQ(check.size(), 5u) << check;
    EXPECT_TRUE(check["id"].is_string() && check["source"].is_string());
    EXPECT_TRUE(verdicts.count(check["verdict"].get<std::string>())) << check;
    EXPECT_TRUE(check["outcomes"].is_array() && check["detail"].is_string());
    EXPECT_LE(check["detail"].get<std::string>().size(), 1024u);
  }
  const std::set<double> levels = {0, 0.33, 0.67, 1};
  for (const nlohmann::json& outcome : json["outcomes"]) {
    EXPECT_EQ(outcome.size(), 4u) << outcome;
    ASSERT_TRUE(Catalog::Builtin().FindOutcome(outcome["outcome"].get<std::string>()));
    if (outcome["level"].is_null()) {
      EXPECT_EQ(outcome["state"], "not_evaluated");
    } else {
      EXPECT_TRUE(levels.count(outcome["level"].get<double>())) << outcome;
      EXPECT_EQ(outcome["state"], "evaluated");
    }
    EXPECT_FALSE(outcome["checks"].empty());
  }
}

TEST(ScanCommandTest, RunsTheBuiltInPackOnAFixtureRoot) {
  test::ProcessResult run =
      Scan({"--root", POSTURA_SOURCE_DIR "/tests/testdata/agent/hardened", "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json json = nlohmann::json::parse(run.out);
  ExpectDocumentedLayout(json);
  absl::StatusOr<agent::CheckPack> pack = agent::LoadCheckPack(
      POSTURA_SOURCE_DIR "/deploy/packs/debian-server.yaml", Catalog::Builtin());
  ASSERT_TRUE(pack.ok()) << pack.status();
  ASSERT_EQ(json["checks"].size(), pack->checks.size());
  for (const nlohmann::json& check : json["checks"]) {
    EXPECT_EQ(check["source"], "pack:debian-server");
  }
  EXPECT_GT(json["outcomes"].size(), 10u);
  EXPECT_TRUE(json["sources"].empty());
  // The text form says the same in lines.
  test::ProcessResult text = Scan({"--root", POSTURA_SOURCE_DIR "/tests/testdata/agent/hardened"});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr(absl::StrCat("Checks (", pack->checks.size(), "):")));
}

// Writes a root claiming Debian 11 and has oscap-chroot evaluate it; returns the results
// file (and writes arf.xml beside it).
std::string EvaluateDebian11Root(const test::TempDir& dir) {
  dir.WriteFile("root/etc/debian_version", "11.7\n");
  dir.WriteFile("root/etc/os-release", "VERSION_ID=\"11\"\nID=debian\n");
  const std::string passwd = dir.WriteFile("root/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  std::filesystem::permissions(passwd, std::filesystem::perms(0666));
  const std::string results = (dir.path() / "results.xml").string();
  absl::StatusOr<test::ProcessResult> run = test::RunProcess(
      {"/usr/bin/oscap-chroot", (dir.path() / "root").string(), "xccdf", "eval", "--profile",
       kProfile, "--results", results, "--results-arf", (dir.path() / "arf.xml").string(),
       "/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml"});
  EXPECT_TRUE(run.ok() && (run->exit_code == 0 || run->exit_code == 2))
      << "oscap-chroot (deploy/install-deps.sh installs openscap-utils, ssg-debian)";
  return results;
}

TEST(ScanCommandTest, ReadsOpenscapResults) {
  test::TempDir dir;
  const std::string results = EvaluateDebian11Root(dir);
  test::ProcessResult run = Scan({"--xccdf-results", results, "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json json = nlohmann::json::parse(run.out);
  ExpectDocumentedLayout(json);
  // One check per rule-result of the file that is not notselected.
  const std::string text = ReadAll(results);
  int selected = 0;
  for (size_t at = text.find("<result>"); at != std::string::npos;
       at = text.find("<result>", at + 1)) {
    selected += text.compare(at, 19, "<result>notselected") != 0;
  }
  ASSERT_EQ(static_cast<int>(json["checks"].size()), selected);
  bool passwd_seen = false;
  for (const nlohmann::json& check : json["checks"]) {
    EXPECT_EQ(check["source"], absl::StrCat("openscap:", kProfile));
    if (check["id"] == kPasswdRule) {
      passwd_seen = true;
      EXPECT_EQ(check["verdict"], "fail");  // World-writable /etc/passwd.
      EXPECT_THAT(check["outcomes"], ::testing::Contains("PR_AC_PR_AC_4"));
    }
  }
  EXPECT_TRUE(passwd_seen);
  ASSERT_EQ(json["sources"].size(), 1u);
  EXPECT_EQ(json["sources"][0]["file"], results);
  EXPECT_EQ(json["sources"][0]["notice"], "");

  // The ARF report gives the same checks; with --pack builtin the pack runs too.
  test::ProcessResult both =
      Scan({"--xccdf-results", (dir.path() / "arf.xml").string(), "--pack", "builtin", "--root",
            POSTURA_SOURCE_DIR "/tests/testdata/agent/hardened", "--format", "json"});
  ASSERT_EQ(both.exit_code, 0) << both.err;
  const nlohmann::json combined = nlohmann::json::parse(both.out);
  ExpectDocumentedLayout(combined);
  std::set<std::string> sources;
  for (const nlohmann::json& check : combined["checks"]) sources.insert(check["source"]);
  EXPECT_EQ(sources,
            (std::set<std::string>{"pack:debian-server", absl::StrCat("openscap:", kProfile)}));
}

TEST(ScanCommandTest, AnOperatorMappingOverridesARule) {
  test::TempDir dir;
  const std::string results = EvaluateDebian11Root(dir);
  const std::string mapping = dir.WriteFile(
      "site.tsv", absl::StrCat("uleo_id\tsource_id\ttarget_id\tnote\n# The site's own view.\n",
                               "ID_AM_ID_AM_1\t-\t", kPasswdRule, "\tpinned\n"));
  test::ProcessResult run =
      Scan({"--xccdf-results", results, "--mapping", mapping, "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json json = nlohmann::json::parse(run.out);
  bool seen = false;
  for (const nlohmann::json& check : json["checks"]) {
    if (check["id"] != kPasswdRule) continue;
    seen = true;
    EXPECT_EQ(check["outcomes"], nlohmann::json::array({"ID_AM_ID_AM_1"}));
  }
  EXPECT_TRUE(seen);
  bool outcome_seen = false;
  for (const nlohmann::json& outcome : json["outcomes"]) {
    if (outcome["outcome"] != "ID_AM_ID_AM_1") continue;
    outcome_seen = true;
    EXPECT_EQ(outcome["level"], 0.0);  // The rule fails: world-writable /etc/passwd.
    EXPECT_EQ(outcome["checks"], nlohmann::json::array({kPasswdRule}));
  }
  EXPECT_TRUE(outcome_seen);
}

void ExpectBadInput(const std::vector<std::string>& arguments, absl::string_view problem) {
  test::ProcessResult run = Scan(arguments);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_THAT(run.err, HasSubstr(problem));
  EXPECT_EQ(run.out, "") << "nothing is reported from a bad input";
}

TEST(ScanCommandTest, RefusesHostileAndBadInputsWithExitOne) {
  test::TempDir dir;
  const std::string bomb = dir.WriteFile(
      "bomb.xml",
      "<!DOCTYPE a [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
      "<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\">&b;</Benchmark>");
  ExpectBadInput({"--xccdf-results", bomb}, absl::StrCat(bomb,
                                                         ": line 1: the DOCTYPE declares "
                                                         "entity 'a'"));
  const std::string xxe = dir.WriteFile(
      "xxe.xml",
      "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<TestResult xmlns=\"http://checklists.nist.gov/xccdf/1.2\">&x;</TestResult>");
  ExpectBadInput({"--xccdf-results", xxe}, "declares entity 'x'");
  const std::string results = EvaluateDebian11Root(dir);
  const std::string full = ReadAll(results);
  const std::string truncated = dir.WriteFile("truncated.xml", full.substr(0, full.size() / 2));
  ExpectBadInput({"--xccdf-results", truncated}, absl::StrCat(truncated, ": line "));
  const std::string html = dir.WriteFile("page.xml", "<html/>");
  ExpectBadInput({"--xccdf-results", html}, "the root element is {}html");
  const std::string big = (dir.path() / "big.xml").string();
  std::filesystem::copy_file(results, big);
  std::filesystem::resize_file(big, 70u << 20);  // 70 MB, generated, never committed.
  ExpectBadInput({"--xccdf-results", big}, "70.0 MiB, over the limit of 64.0 MiB");
  // A good file before a bad one: still nothing printed.
  ExpectBadInput({"--xccdf-results", results, "--xccdf-results", html}, html);
  ExpectBadInput({"--xccdf-results", "/nonexistent.xml"}, "/nonexistent.xml: cannot open");
  ExpectBadInput({"--format", "xml"}, "--format: 'xml' is not text or json");
  ExpectBadInput({"--asset-ig", "IG4"}, "--asset-ig: 'IG4' is not IG1, IG2 or IG3");
  ExpectBadInput({"--root", "/nonexistent"}, "--root /nonexistent: not a directory");
  ExpectBadInput({"--pack", html}, html);
  ExpectBadInput({"--mapping", html, "--xccdf-results", results}, "header");
  test::ProcessResult unknown = Scan({"--no-such-option"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("--no-such-option"));
}

// Runs the scan and returns its peak RSS in MiB (wait4's ru_maxrss). The kernel counts
// the forked child's copy of this test's memory too, so the figure has a floor of this
// process's RSS (about 20 MiB); a reader holding a 50 MB document would still show far
// above it. `/usr/bin/time -f %M postura-agent scan ...` gives the scan's own figure.
double PeakRssMib(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {POSTURA_AGENT_BIN, "scan"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  std::vector<char*> pointers;
  for (std::string& argument : argv) pointers.push_back(argument.data());
  pointers.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    if (freopen("/dev/null", "w", stdout) == nullptr) _exit(126);
    execv(pointers[0], pointers.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage = {};
  wait4(pid, &status, 0, &usage);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  return usage.ru_maxrss / 1024.0;
}

TEST(ScanCommandTest, ImportsAFiftyMegabyteArfInBoundedMemory) {
  test::TempDir dir;
  EvaluateDebian11Root(dir);
  const std::string arf_path = (dir.path() / "arf.xml").string();
  const std::string arf = ReadAll(arf_path);
  const size_t end = arf.rfind("</arf:reports>");
  ASSERT_NE(end, std::string::npos);
  const std::string big = (dir.path() / "big-arf.xml").string();
  {
    std::ofstream out(big, std::ios::binary);
    out << arf.substr(0, end) << "<arf:report id=\"pad\"><arf:content><p:items xmlns:p=\"urn:p\">";
    const std::string item =
        "<p:item status=\"exists\"><p:path>/usr/share/doc/x</p:path></p:item>\n";
    for (size_t written = arf.size(); written < (50u << 20); written += item.size()) out << item;
    out << "</p:items></arf:content></arf:report>" << arf.substr(end);
  }
  const double small = PeakRssMib({"--xccdf-results", arf_path, "--format", "json"});
  const double large = PeakRssMib({"--xccdf-results", big, "--format", "json"});
  std::cout << "scan peak RSS: " << small << " MiB for an " << arf.size() / 1048576.0
            << " MiB ARF, " << large << " MiB for a 50 MiB ARF\n";
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LT(large - small, 8.0) << "the reader streams: the file's size does not count";
#endif
}

}  // namespace
}  // namespace postura
