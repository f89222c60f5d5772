// Evidence requests through real processes: a collector and the `postura` client as an
// officer (admin), a supplier and a reviewer run them. The officer opens a request, the
// supplier answers with a document, the reviewer approves, and the asset's score moves at
// once; a rejection sends an answer back; bad input gets specific errors and stores
// nothing; documents are stored once and come back byte for byte. Prints the review
// latency to the score change and the storage per MB of documents.

#include <httplib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "postura/v1/query.grpc.pb.h"
#include "postura/v1/requests.grpc.pb.h"
#include "tests/testing/cli_process_test.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/https_client.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::ProcessResult;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kOutcome[] = "ID_SC_ID_SC_2";  // Supply chain, IG1: counts on an IG1 asset.
constexpr char kSecond[] = "ID_SC_ID_SC_5";   // Rejected, then approved over gRPC.
constexpr uint64_t kFileCap = 10 << 20;       // The collector's per-file cap in this test.

// Bytes on disk under `directory`.
uint64_t DiskBytes(const std::filesystem::path& directory) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

// A PDF-looking file of `size` incompressible bytes.
void WritePdf(const std::filesystem::path& path, size_t size, uint32_t seed) {
  std::string bytes = "%PDF-1.7\n";
  std::mt19937 random(seed);
  while (bytes.size() < size) bytes.push_back(static_cast<char>(random()));
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class RequestsCliTest : public test::CliProcessTest {
 protected:
  void SetUp() override {
    Start();
    Ok({"tenants", "put", "acme", "--name", "ACME Hosting", "--kind", "supplier"});
    Ok({"tenants", "put", "other", "--name", "Other Ltd", "--kind", "supplier"});
    Ok({"assets", "put", "web", "--name", "Web portal", "--ig", "IG1", "--supplier", "acme"});
    supplier_ = Token("supplier", {"--role", "supplier", "--tenant", "acme", "--name", "acme-ops"});
    other_ = Token("other", {"--role", "supplier", "--tenant", "other", "--name", "other-ops"});
    reviewer_ = Token("reviewer", {"--role", "admin", "--name", "reviewer"});
    auditor_ = Token("auditor", {"--role", "auditor", "--name", "auditor"});
  }

  void Start() {
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector =
        CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path().string(), "127.0.0.1:0",
                                absl::StrCat("requests: {max_document_bytes: ", kFileCap, "}\n"));
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = *std::move(collector);
  }

  std::string Token(const std::string& name, std::vector<std::string> args) {
    const std::string file = (dir_.path() / (name + ".token")).string();
    args.insert(args.begin(), {"tokens", "create", "api"});
    args.insert(args.end(), {"-o", file});
    Ok(args);
    return file;
  }

  // The level `score web` shows for `outcome` ("" unless its evidence is live).
  std::string LevelOnWeb(const std::string& outcome) {
    const Json score = OkJson({"score", "web", "--outcomes"});
    for (const Json& function : score["functions"]) {
      for (const Json& category : function["categories"]) {
        for (const Json& item : category["outcomes"]) {
          if (item["id"] == outcome && item["state"] == "LIVE") {
            return item.value("level", "");
          }
        }
      }
    }
    return "";
  }

  std::vector<std::string> Submit(const std::string& id, const std::string& outcome,
                                  const std::string& level, const std::string& file) {
    return {"evidence",  "submit",      id,
            "--outcome", outcome,       "--level",
            level,       "--statement", "Supplier policy v3, signed by the CISO.",
            "--attach",  file};
  }

  // The token in a token file.
  std::string TokenText(const std::string& file) {
    std::string token = ReadFile(file);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
      token.pop_back();
    }
    return token;
  }

  uint64_t AuditEntries() { return OkJson({"audit"}, auditor_)["entries"].size(); }

  std::string supplier_, other_, reviewer_, auditor_;
};

TEST_F(RequestsCliTest, OfficerAsksSupplierAnswersReviewerApprovesAndTheScoreMoves) {
  const Json created =
      OkJson({"requests", "create", "--title", "Supply chain 2027", "--category", "ID.SC",
              "--supplier", "acme", "--owner-supplier", "acme", "--due", "30d"});
  const std::string id = created.value("id", "");
  ASSERT_EQ(id, "REQ-000001") << created.dump();
  EXPECT_EQ(created["assetIds"], Json::array({"web"}));
  // The supplier sees it; another supplier does not.
  EXPECT_THAT(Ok({"requests", "list"}, supplier_), HasSubstr(id));
  EXPECT_THAT(Ok({"requests", "list"}, other_), HasSubstr("No evidence requests"));
  EXPECT_THAT(Refused({"requests", "show", id}, other_), HasSubstr("no evidence request"));

  const std::filesystem::path policy = dir_.path() / "policy.pdf";
  WritePdf(policy, 8 << 20, 1);
  const uint64_t disk_before = DiskBytes(collector_->data_dir());
  EXPECT_THAT(Ok(Submit(id, kOutcome, "0.67", policy.string()), supplier_),
              HasSubstr("waits for review"));
  // Storage: the store's growth per MB of document, measured after a restart (memtables
  // flushed, write-ahead logs gone).
  ASSERT_EQ(collector_->Stop(), 0);
  Start();
  const uint64_t disk_stored = DiskBytes(collector_->data_dir());
  std::cout << "storage: one 8 MiB document grew the data directory by "
            << (disk_stored - disk_before)
            << " bytes: " << static_cast<double>(disk_stored - disk_before) / (8 << 20)
            << " per MB\n";
  EXPECT_LT(disk_stored - disk_before, uint64_t{10} << 20);
  EXPECT_EQ(LevelOnWeb(kOutcome), "");  // Nothing scores before approval.

  // Four eyes and roles: the supplier may not review; the reviewer approves.
  EXPECT_THAT(Refused({"evidence", "review", id, "--outcome", kOutcome, "--approve", "--comment",
                       "self-approval"},
                      supplier_),
              HasSubstr("role supplier may not review"));
  const absl::Time approving = absl::Now();
  Ok({"evidence", "review", id, "--outcome", kOutcome, "--approve", "--comment", "Signed, seen."},
     reviewer_);
  const absl::Duration review_call = absl::Now() - approving;
  std::string level = LevelOnWeb(kOutcome);
  while (level.empty() && absl::Now() - approving < absl::Seconds(10)) {
    absl::SleepFor(absl::Milliseconds(10));
    level = LevelOnWeb(kOutcome);
  }
  const absl::Duration to_score = absl::Now() - approving;
  EXPECT_EQ(level, "DLI_67");
  EXPECT_THAT(
      Refused({"evidence", "review", id, "--outcome", kOutcome, "--approve", "--comment", "again"},
              reviewer_),
      HasSubstr("approved already"));
  std::cout << "review latency: `postura evidence review` (a process) took "
            << absl::FormatDuration(review_call) << "; the score showed it "
            << absl::FormatDuration(to_score) << " after the review started\n";

  // The document comes back byte for byte, to its tenant and staff, not to another tenant.
  const Json shown = OkJson({"requests", "show", id}, supplier_);
  std::string sha;
  for (const Json& outcome : shown["outcomes"]) {
    if (outcome["outcomeId"] == kOutcome) sha = outcome["answer"]["documents"][0]["sha256Hex"];
  }
  ASSERT_EQ(sha.size(), 64u) << shown.dump();
  const std::filesystem::path copy = dir_.path() / "copy.pdf";
  EXPECT_THAT(Ok({"documents", "get", sha, "-o", copy.string()}, supplier_),
              HasSubstr("application/pdf"));
  EXPECT_EQ(ReadFile(copy), ReadFile(policy));
  EXPECT_THAT(Refused({"documents", "get", sha, "-o", (dir_.path() / "x").string()}, other_),
              HasSubstr("no document"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "x"));

  // A rejection returns the answer to the supplier, who answers again; the same document
  // again is stored once.
  Ok(Submit(id, kSecond, "1", policy.string()), supplier_);
  Ok({"evidence", "review", id, "--outcome", kSecond, "--reject", "--comment", "Wrong policy"},
     reviewer_);
  EXPECT_THAT(Ok({"requests", "show", id}), HasSubstr("rejected"));
  Ok(Submit(id, kSecond, "1", policy.string()), supplier_);
  // Review latency without processes: from the ReviewAnswer call to GetAssetScore showing
  // the level, both over gRPC.
  const CollectorTrust reviewer{ReadFile(collector_->ca_file()), TokenText(reviewer_)};
  auto requests =
      v1::EvidenceRequests::NewStub(test::FreshChannel(collector_->address(), reviewer));
  auto query = v1::QueryService::NewStub(test::FreshChannel(collector_->address(), reviewer));
  v1::ReviewAnswerRequest approve;
  approve.set_request_id(id);
  approve.set_outcome_id(kSecond);
  approve.set_approve(true);
  approve.set_comment("Right policy now.");
  const absl::Time start = absl::Now();
  grpc::ClientContext review_context;
  v1::EvidenceRequest reviewed;
  ASSERT_TRUE(requests->ReviewAnswer(&review_context, approve, &reviewed).ok());
  const absl::Duration rpc = absl::Now() - start;
  absl::Duration visible = absl::InfiniteDuration();
  while (absl::Now() - start < absl::Seconds(10) && visible == absl::InfiniteDuration()) {
    grpc::ClientContext context;
    v1::GetAssetScoreRequest ask;
    ask.set_asset_id("web");
    v1::AssetScore score;
    ASSERT_TRUE(query->GetAssetScore(&context, ask, &score).ok());
    for (const v1::FunctionScore& function : score.functions()) {
      for (const v1::CategoryScore& category : function.categories()) {
        for (const v1::OutcomeScore& outcome : category.outcomes()) {
          if (outcome.id() == kSecond && outcome.state() == v1::LIVE &&
              outcome.level() == v1::DLI_100) {
            visible = absl::Now() - start;
          }
        }
      }
    }
  }
  std::cout << "review latency over gRPC: ReviewAnswer returned after " << absl::FormatDuration(rpc)
            << "; GetAssetScore showed the level after " << absl::FormatDuration(visible) << "\n";
  EXPECT_LT(visible, absl::Seconds(10));

  // The same document twice more: stored once; the uploads' chunks are deleted, and their
  // space comes back when RocksDB compacts the family.
  ASSERT_EQ(collector_->Stop(), 0);
  Start();
  const uint64_t disk_after = DiskBytes(collector_->data_dir());
  std::cout << "storage: the same document answered twice more grew it by "
            << (disk_after - disk_stored) << " bytes before compaction\n";
  EXPECT_THAT(Ok({"requests", "show", id}), HasSubstr("approved"));  // Survives the restart.
  EXPECT_EQ(LevelOnWeb(kOutcome), "DLI_67");

  // The audit trail: every step, with actor and content hash.
  const Json audit = OkJson({"audit"}, auditor_);
  std::vector<std::string> actions;
  for (const Json& entry : audit["entries"]) actions.push_back(entry["action"]);
  EXPECT_THAT(actions, testing::ElementsAre("request.create", "answer.submit", "document.store",
                                            "answer.approve", "answer.submit", "document.store",
                                            "answer.reject", "answer.submit", "document.store",
                                            "answer.approve"));
  EXPECT_EQ(audit["entries"][1]["actor"]["name"], "acme-ops");
  EXPECT_EQ(audit["entries"][2]["contentSha256Hex"], sha);
  EXPECT_THAT(Refused({"audit"}, supplier_), HasSubstr("may not read the audit trail"));
}

TEST_F(RequestsCliTest, BadInputGetsSpecificErrorsStoresNothingAndTheCollectorKeepsServing) {
  const std::string id = OkJson({"requests", "create", "--title", "Recovery", "--outcome", kOutcome,
                                 "--asset", "web", "--owner-supplier", "acme", "--due", "7d"})
                             .value("id", "");
  ASSERT_FALSE(id.empty());
  const uint64_t audit = AuditEntries();
  const std::filesystem::path empty = dir_.path() / "empty.txt", big = dir_.path() / "big.pdf",
                              binary = dir_.path() / "tool", text = dir_.path() / "plan.txt";
  std::ofstream(empty).close();
  WritePdf(big, kFileCap + 1, 2);
  std::ofstream(binary, std::ios::binary) << std::string(
      "\x7F"
      "ELF\x02\x01\x01",
      7);
  std::ofstream(text) << "Recovery plan: restore from the offsite backup within 4 hours.\n";

  EXPECT_THAT(Refused(Submit(id, kOutcome, "1", empty.string()), supplier_), HasSubstr("is empty"));
  EXPECT_THAT(Refused(Submit(id, kOutcome, "1", big.string()), supplier_),
              HasSubstr("per-file cap"));
  EXPECT_THAT(Refused(Submit(id, kOutcome, "1", binary.string()), supplier_),
              HasSubstr("executable"));
  EXPECT_THAT(Refused(Submit(id, kOutcome, "0.5", text.string()), supplier_),
              HasSubstr("--level '0.5'"));
  EXPECT_THAT(Refused(Submit("REQ-000099", kOutcome, "1", text.string()), supplier_),
              HasSubstr("no evidence request 'REQ-000099'"));
  EXPECT_THAT(Refused(Submit(id, "NO_SUCH", "1", text.string()), supplier_),
              HasSubstr("no outcome 'NO_SUCH'"));
  EXPECT_THAT(Refused(Submit(id, kSecond, "1", text.string()), supplier_),
              HasSubstr("does not ask for"));
  EXPECT_THAT(Refused(Submit(id, kOutcome, "1", text.string()), other_),
              HasSubstr("no evidence request"));  // Someone else's request.
  EXPECT_THAT(Refused({"evidence", "review", id, "--outcome", kOutcome, "--approve", "--comment",
                       "nothing yet"}),
              HasSubstr("no answer to review"));
  EXPECT_EQ(AuditEntries(), audit);  // Nothing stored.
  EXPECT_THAT(Ok({"requests", "show", id}), HasSubstr("documents 0 bytes"));

  // A department's request is its officers' to answer: the admin who reviews answers none
  // (so a reviewer never reviews its own answer), the officer answers, and may not review.
  Ok({"departments", "put", "ops", "--name", "Operations"});
  const std::string officer =
      Token("officer", {"--role", "department", "--department", "ops", "--name", "ops-officer"});
  const std::string ops =
      OkJson({"requests", "create", "--title", "Awareness", "--outcome", kOutcome, "--asset", "web",
              "--owner-department", "ops", "--due", "7d"})
          .value("id", "");
  EXPECT_THAT(Refused(Submit(ops, kOutcome, "1", text.string())),
              HasSubstr("is for department ops to answer"));
  Ok(Submit(ops, kOutcome, "1", text.string()), officer);
  EXPECT_THAT(
      Refused({"evidence", "review", ops, "--outcome", kOutcome, "--approve", "--comment", "mine"},
              officer),
      HasSubstr("role department may not review"));
  Ok({"requests", "cancel", id, "--reason", "supplier replaced"});
  EXPECT_THAT(Refused(Submit(id, kOutcome, "1", text.string()), supplier_),
              HasSubstr("is cancelled"));
  EXPECT_THAT(Refused({"requests", "cancel", id}), HasSubstr("cancelled already"));
  EXPECT_THAT(Refused({"requests", "create", "--title", "x", "--area", "FA99", "--asset", "web",
                       "--owner-supplier", "acme", "--due", "7d"}),
              HasSubstr("no functional area 'FA99'"));
  EXPECT_THAT(Ok({"requests", "list", "--all"}), HasSubstr("cancelled"));
}

TEST_F(RequestsCliTest, OverHttpsDocumentsAreAttachmentsAndChangesNeedTheHeaderToken) {
  auto admin = test::HttpsClient(collector_->http_address(), collector_->ca_file(),
                                 collector_->admin().token);
  const std::string create = absl::StrCat(
      R"({"title": "Recovery plans", "outcomes": {"outcomeIds": [")", kOutcome,
      R"("]}, "scopeKind": "REQUEST_SCOPE_ASSET", "scopeId": "web", "ownerKind": "OWNER_SUPPLIER", "ownerId": "acme", "dueUnixSeconds": ")",
      absl::ToUnixSeconds(absl::Now() + absl::Hours(48)), R"("})");
  httplib::Result created = admin->Post("/api/v1/requests", create, "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  const std::string id = Json::parse(created->body).value("id", "");
  const std::filesystem::path text = dir_.path() / "plan.txt";
  const std::string plan(300'000, 'p');  // Two chunks.
  std::ofstream(text) << plan;
  const Json answered = OkJson(Submit(id, kOutcome, "1", text.string()), supplier_);
  const std::string sha = answered["outcomes"][0]["answer"]["documents"][0]["sha256Hex"];

  httplib::Result document = admin->Get(absl::StrCat("/api/v1/documents/", sha));
  ASSERT_TRUE(document);
  EXPECT_EQ(document->status, 200);
  EXPECT_EQ(document->body, plan);
  EXPECT_THAT(document->get_header_value("Content-Disposition"), HasSubstr("attachment"));
  EXPECT_EQ(document->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(document->get_header_value("Content-Type"), "application/octet-stream");
  auto other =
      test::HttpsClient(collector_->http_address(), collector_->ca_file(), TokenText(other_));
  httplib::Result foreign = other->Get(absl::StrCat("/api/v1/documents/", sha));
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 404);
  EXPECT_EQ(other->Get(absl::StrCat("/api/v1/requests/", id))->status, 404);
  EXPECT_EQ(admin->Get("/api/v1/requests")->status, 200);
  EXPECT_EQ(admin->Get("/api/v1/audit?since=2020-01-01T00:00:00Z")->status, 200);

  // A review through the dashboard's cookie alone is refused: changes need the header.
  auto cookie_only = test::HttpsClient(collector_->http_address(), collector_->ca_file(), "");
  httplib::Headers cookie = {
      {"Cookie", test::DashboardSessionCookie(collector_->http_address(), collector_->ca_file(),
                                              collector_->admin().token)}};
  ASSERT_NE(cookie.begin()->second, "");
  const std::string review =
      absl::StrCat(R"({"outcomeId": ")", kOutcome, R"(", "approve": true, "comment": "ok"})");
  httplib::Result refused = cookie_only->Post(absl::StrCat("/api/v1/requests/", id, "/review"),
                                              cookie, review, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  auto reviewer =
      test::HttpsClient(collector_->http_address(), collector_->ca_file(), TokenText(reviewer_));
  httplib::Result approved =
      reviewer->Post(absl::StrCat("/api/v1/requests/", id, "/review"), review, "application/json");
  ASSERT_TRUE(approved);
  EXPECT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(
      reviewer
          ->Post(absl::StrCat("/api/v1/requests/", id, "/review"), "{not json", "application/json")
          ->status,
      400);
}

}  // namespace
}  // namespace postura
