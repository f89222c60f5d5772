// Answering evidence requests over HTTPS and the answers' history, through the real
// collector (tests/access_control_fixture.h): POST /api/v1/requests/{id}/answers streams a
// multipart form into the document store with the gRPC path's caps, sniffing and errors,
// stores nothing it refuses and keeps serving; the session cookie signs a change only from
// the dashboard's own page; GET /api/v1/assets/{id}/outcomes/{outcome}/answers shows each
// tenant only its own. Each refusal has a positive twin.

#include <httplib.h>
#include <openssl/sha.h>

#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "postura/v1/requests.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/https_client.h"

namespace postura {
namespace {

using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::postura::test::HttpsClient;
using ::testing::HasSubstr;
using Requests = v1::EvidenceRequests;
using Json = nlohmann::json;

constexpr char kAsked[] = "ID_SC_ID_SC_2";
constexpr char kPdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n";

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

// The form of an answer: fields first, then the files.
httplib::MultipartFormDataItems Form(const std::string& level,
                                     std::vector<std::pair<std::string, std::string>> files) {
  httplib::MultipartFormDataItems form = {
      {"outcome", kAsked, "", ""},
      {"level", level, "", ""},
      {"statement", "Covered by our signed supplier policy.", "", ""}};
  for (auto& [name, content] : files) {
    form.push_back({"file", std::move(content), std::move(name), "application/octet-stream"});
  }
  return form;
}

struct Reply {
  int status = -1;
  Json body;
};

class RequestsHttpTest : public AccessControlTest {
 protected:
  void SetUp() override {
    AccessControlTest::SetUp();
    other_supplier_ = ApiToken(v1::ROLE_SUPPLIER, "other");
    acme_request_ = Create("acme");
    other_request_ = Create("other");
  }

  std::string Create(const std::string& supplier) {
    v1::CreateEvidenceRequestRequest request;
    request.set_title(supplier + " supply chain");
    request.mutable_outcomes()->add_outcome_ids(kAsked);
    request.set_scope_kind(v1::REQUEST_SCOPE_SUPPLIER);
    request.set_scope_id(supplier);
    request.set_owner_kind(v1::OWNER_SUPPLIER);
    request.set_owner_id(supplier);
    request.set_due_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(720)));
    v1::EvidenceRequest created;
    EXPECT_TRUE(
        Call<Requests>(address_, admin_, &Requests::Stub::CreateRequest, request, &created).ok());
    return created.id();
  }

  static Reply ReplyOf(const httplib::Result& result) {
    Reply reply;
    if (!result) return reply;
    reply.status = result->status;
    reply.body = Json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    return reply;
  }

  Reply Upload(const std::string& token, const std::string& request_id,
               const httplib::MultipartFormDataItems& form, const httplib::Headers& headers = {}) {
    auto client = HttpsClient(server_->http_address(), ca_file_, token);
    return ReplyOf(
        client->Post(("/api/v1/requests/" + request_id + "/answers").c_str(), headers, form));
  }

  Reply Get(const std::string& token, const std::string& path) {
    return ReplyOf(HttpsClient(server_->http_address(), ca_file_, token)->Get(path.c_str()));
  }

  Reply Review(const std::string& token, const std::string& request_id, bool approve,
               const std::string& comment, const httplib::Headers& headers = {}) {
    Json body = {{"outcomeId", kAsked}, {"approve", approve}, {"comment", comment}};
    auto client = HttpsClient(server_->http_address(), ca_file_, token);
    return ReplyOf(client->Post(("/api/v1/requests/" + request_id + "/review").c_str(), headers,
                                body.dump(), "application/json"));
  }

  size_t AuditEntries() {
    v1::ListAuditResponse audit;
    EXPECT_TRUE(
        Call<Requests>(address_, admin_, &Requests::Stub::ListAudit, v1::ListAuditRequest(), &audit)
            .ok());
    return audit.entries_size();
  }

  // The outcome's state in the request, as the admin sees it.
  Json Outcome(const std::string& request_id) {
    Reply reply = Get(admin_.token, "/api/v1/requests/" + request_id);
    EXPECT_EQ(reply.status, 200);
    return reply.body["outcomes"][0];
  }

  // The Cookie header of a dashboard session signed in with `token`.
  std::string SessionCookie(const std::string& token) {
    std::string cookie = test::DashboardSessionCookie(server_->http_address(), ca_file_, token);
    EXPECT_NE(cookie, "") << "sign-in refused";
    return cookie;
  }

  // Headers of a change made by the dashboard's page with a session of `token`.
  httplib::Headers Dashboard(const std::string& token, const std::string& origin_host) {
    return {{"Cookie", SessionCookie(token)},
            {"X-Postura-Dashboard", "1"},
            {"Origin", "https://" + origin_host}};
  }

  CollectorTrust other_supplier_;
  std::string acme_request_, other_request_;
};

TEST_F(RequestsHttpTest, AnUploadStreamsFilesIntoTheStoreAndTheyDownloadAsSent) {
  // Text across several 256 KiB chunks, cut by the parser wherever it likes.
  std::string text;
  while (text.size() < (3u << 20) / 2) text += "Line of the supplier's continuity plan.\n";
  Reply reply = Upload(supplier_.token, acme_request_,
                       Form("0.67", {{"plan.txt", text}, {"C:\\docs\\policy.pdf", kPdf}}));
  ASSERT_EQ(reply.status, 200) << reply.body.dump();
  const Json& outcome = reply.body["outcomes"][0];
  EXPECT_EQ(outcome["status"], "ANSWER_SUBMITTED");
  EXPECT_EQ(outcome["answer"]["level"], "DLI_67");
  ASSERT_EQ(outcome["answer"]["documents"].size(), 2u);
  const Json& plan = outcome["answer"]["documents"][0];
  EXPECT_EQ(plan["sha256Hex"], Sha256Hex(text));
  EXPECT_EQ(plan["mediaType"], "text/plain; charset=utf-8");
  EXPECT_EQ(plan["sizeBytes"], std::to_string(text.size()));
  EXPECT_EQ(outcome["answer"]["documents"][1]["fileName"], "policy.pdf");
  EXPECT_EQ(outcome["answer"]["documents"][1]["mediaType"], "application/pdf");

  auto client = HttpsClient(server_->http_address(), ca_file_, supplier_.token);
  httplib::Result download = client->Get(("/api/v1/documents/" + Sha256Hex(text)).c_str());
  ASSERT_TRUE(download);
  EXPECT_EQ(download->status, 200);
  EXPECT_TRUE(download->body == text);
  EXPECT_EQ(download->get_header_value("X-Postura-Media-Type"), "text/plain; charset=utf-8");
}

TEST_F(RequestsHttpTest, BadUploadsGetTheirOwnErrorAndStoreNothing) {
  const size_t audit = AuditEntries();
  const std::string oversize(20u * 1024 * 1024 + 1, 'a');
  const std::string elf = std::string(
                              "\x7f"
                              "ELF\x02\x01\x01",
                              7) +
                          std::string(100, '\0');
  struct Case {
    std::string name;
    std::string token;
    std::string request;
    httplib::MultipartFormDataItems form;
    int status;
    std::string code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"oversize", supplier_.token, acme_request_, Form("1", {{"big.txt", oversize}}), 413,
       "RESOURCE_EXHAUSTED", "larger than the collector's per-file cap of 20971520 bytes"},
      {"empty", supplier_.token, acme_request_, Form("1", {{"empty.txt", ""}}), 400,
       "INVALID_ARGUMENT", "document 'empty.txt' is empty"},
      {"type", supplier_.token, acme_request_, Form("1", {{"tool.pdf", elf}}), 400,
       "INVALID_ARGUMENT", "executable"},
      {"after a good file", supplier_.token, acme_request_,
       Form("1", {{"ok.pdf", kPdf}, {"tool", elf}}), 400, "INVALID_ARGUMENT", "executable"},
      {"level", supplier_.token, acme_request_, Form("0.5", {{"ok.pdf", kPdf}}), 400,
       "INVALID_ARGUMENT", "level: one of the DLI levels"},
      {"foreign", supplier_.token, other_request_, Form("1", {{"ok.pdf", kPdf}}), 404, "NOT_FOUND",
       "no evidence request"},
      {"absent", supplier_.token, "REQ-999999", Form("1", {{"ok.pdf", kPdf}}), 404, "NOT_FOUND",
       "no evidence request"},
      {"staff", operator_.token, acme_request_, Form("1", {{"ok.pdf", kPdf}}), 403,
       "PERMISSION_DENIED", "role operator may not answer"},
      {"auditor", auditor_.token, acme_request_, Form("1", {}), 403, "PERMISSION_DENIED", ""},
      {"no token", "", acme_request_, Form("1", {}), 401, "UNAUTHENTICATED", ""},
      {"unknown field",
       supplier_.token,
       acme_request_,
       {{"outcome", kAsked, "", ""}, {"colour", "red", "", ""}},
       400,
       "INVALID_ARGUMENT",
       "unknown form field 'colour'"},
      {"file first",
       supplier_.token,
       acme_request_,
       {{"file", kPdf, "a.pdf", "application/pdf"}, {"outcome", kAsked, "", ""}},
       400,
       "INVALID_ARGUMENT",
       "form field 'outcome' is missing"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Reply reply = Upload(c.token, c.request, c.form);
    EXPECT_EQ(reply.status, c.status) << reply.body.dump();
    EXPECT_EQ(reply.body["error"]["code"], c.code);
    EXPECT_THAT(reply.body["error"]["message"].get<std::string>(), HasSubstr(c.message));
  }
  // Nothing of it is stored: no audit entry, no answer, no document by any of the hashes.
  EXPECT_EQ(AuditEntries(), audit);
  EXPECT_EQ(Outcome(acme_request_)["answers"], 0);
  for (const std::string& content : {oversize, elf, std::string(kPdf)}) {
    EXPECT_EQ(Get(admin_.token, "/api/v1/documents/" + Sha256Hex(content)).status, 404);
  }

  // Not a form at all: 415 before the handler; a body over the request's cap: 413 unread.
  auto client = HttpsClient(server_->http_address(), ca_file_, supplier_.token);
  Reply json = ReplyOf(client->Post(("/api/v1/requests/" + acme_request_ + "/answers").c_str(),
                                    "{}", "application/json"));
  EXPECT_EQ(json.status, 415);
  EXPECT_THAT(json.body["error"]["message"].get<std::string>(), HasSubstr("multipart/form-data"));

  // A form cut short (no closing boundary) under a truthful Content-Length: 400, nothing kept.
  const std::string cut =
      std::string("--B\r\nContent-Disposition: form-data; name=\"outcome\"\r\n\r\n") + kAsked +
      "\r\n--B\r\nContent-Disposition: form-data; name=\"level\"\r\n\r\n1"
      "\r\n--B\r\nContent-Disposition: form-data; name=\"statement\"\r\n\r\nok"
      "\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"a.pdf\"\r\n\r\n%PDF-1.4 and then nothing";
  Reply truncated = ReplyOf(client->Post(("/api/v1/requests/" + acme_request_ + "/answers").c_str(),
                                         cut, "multipart/form-data; boundary=B"));
  EXPECT_EQ(truncated.status, 400) << truncated.body.dump();
  EXPECT_THAT(truncated.body["error"]["message"].get<std::string>(), HasSubstr("not complete"));
  EXPECT_EQ(AuditEntries(), audit);

  // The twin: the collector still serves, and the same form with a good file is taken.
  Reply good = Upload(supplier_.token, acme_request_, Form("1", {{"policy.pdf", kPdf}}));
  EXPECT_EQ(good.status, 200) << good.body.dump();
  EXPECT_EQ(Outcome(acme_request_)["answers"], 1);
  EXPECT_EQ(Get(admin_.token, "/api/v1/documents/" + Sha256Hex(kPdf)).status, 200);
}

TEST_F(RequestsHttpTest, TheSessionCookieSignsChangesOnlyFromTheDashboardsOwnPage) {
  const std::string host = server_->http_address();
  httplib::Headers cookie_only = {{"Cookie", SessionCookie(supplier_.token)}};
  httplib::Headers foreign = Dashboard(supplier_.token, "evil.example:443");
  httplib::Headers no_marker = Dashboard(supplier_.token, host);
  no_marker.erase("X-Postura-Dashboard");
  for (const httplib::Headers* refused : {&cookie_only, &foreign, &no_marker}) {
    Reply reply = Upload("", acme_request_, Form("1", {{"policy.pdf", kPdf}}), *refused);
    EXPECT_EQ(reply.status, 401) << reply.body.dump();
  }
  EXPECT_EQ(Outcome(acme_request_)["answers"], 0);
  Reply answered = Upload("", acme_request_, Form("1", {{"policy.pdf", kPdf}}),
                          Dashboard(supplier_.token, host));
  ASSERT_EQ(answered.status, 200) << answered.body.dump();

  // Reviews and opening a request alike.
  EXPECT_EQ(Review("", acme_request_, true, "ok", {{"Cookie", SessionCookie(admin_.token)}}).status,
            401);
  EXPECT_EQ(Review("", acme_request_, true, "ok", Dashboard(admin_.token, "evil.example")).status,
            401);
  Reply reviewed = Review("", acme_request_, true, "Seen.", Dashboard(admin_.token, host));
  EXPECT_EQ(reviewed.status, 200) << reviewed.body.dump();
  EXPECT_EQ(Outcome(acme_request_)["status"], "ANSWER_APPROVED");
  auto client = HttpsClient(host, ca_file_, "");
  const std::string open =
      absl::StrCat(R"({"title": "From the dashboard", "outcomes": {"outcomeIds": [")", kAsked,
                   R"("]}, "scopeKind": "REQUEST_SCOPE_SUPPLIER", "scopeId": "acme",)",
                   R"( "ownerKind": "OWNER_SUPPLIER", "ownerId": "acme", "dueUnixSeconds": ")",
                   absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(24)), R"("})");
  for (const httplib::Headers& refused : {httplib::Headers{{"Cookie", SessionCookie(admin_.token)}},
                                          Dashboard(admin_.token, "evil.example")}) {
    httplib::Result create = client->Post("/api/v1/requests", refused, open, "application/json");
    ASSERT_TRUE(create);
    EXPECT_EQ(create->status, 401);
  }
  httplib::Result create =
      client->Post("/api/v1/requests", Dashboard(admin_.token, host), open, "application/json");
  ASSERT_TRUE(create);
  EXPECT_EQ(create->status, 200) << create->body;
  EXPECT_THAT(create->body, HasSubstr("From the dashboard"));
}

TEST_F(RequestsHttpTest, AnswerHistoryShowsEachTenantOnlyItsOwn) {
  ASSERT_EQ(Upload(other_supplier_.token, other_request_, Form("0.33", {{"a.pdf", kPdf}})).status,
            200);
  ASSERT_EQ(Review(admin_.token, other_request_, false, "Unsigned copy.").status, 200);
  ASSERT_EQ(Upload(other_supplier_.token, other_request_, Form("1", {})).status, 200);
  ASSERT_EQ(Review(admin_.token, other_request_, true, "Signed now.").status, 200);
  const std::string path = std::string("/api/v1/assets/other-db/outcomes/") + kAsked + "/answers";

  Reply own = Get(other_supplier_.token, path);
  ASSERT_EQ(own.status, 200) << own.body.dump();
  ASSERT_EQ(own.body["entries"].size(), 2u);
  EXPECT_EQ(own.body["entries"][0]["status"], "ANSWER_REJECTED");
  EXPECT_EQ(own.body["entries"][0]["review"]["comment"], "Unsigned copy.");
  EXPECT_EQ(own.body["entries"][0]["answer"]["documents"][0]["sha256Hex"], Sha256Hex(kPdf));
  EXPECT_EQ(own.body["entries"][1]["status"], "ANSWER_APPROVED");
  EXPECT_EQ(own.body["entries"][1]["review"]["comment"], "Signed now.");
  EXPECT_EQ(own.body["entries"][1]["requestId"], other_request_);
  EXPECT_EQ(Get(auditor_.token, path).body, own.body);

  // Another tenant's asset is absent, worded as a missing one; agents may not read it.
  Reply foreign = Get(supplier_.token, path);
  Reply absent =
      Get(supplier_.token, "/api/v1/assets/nope/outcomes/" + std::string(kAsked) + "/answers");
  EXPECT_EQ(foreign.status, 404);
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(foreign.body["error"]["message"], "no asset 'other-db'");
  EXPECT_EQ(Get(acme_agent_.token, path).status, 403);
  EXPECT_EQ(Get("", path).status, 401);
  // Its own asset shows none of the other's answers; an unknown outcome is refused.
  Reply mine =
      Get(supplier_.token, "/api/v1/assets/acme-web/outcomes/" + std::string(kAsked) + "/answers");
  EXPECT_EQ(mine.status, 200);
  EXPECT_TRUE(mine.body["entries"].empty());
  EXPECT_EQ(Get(admin_.token, "/api/v1/assets/other-db/outcomes/NOPE/answers").status, 400);
}

}  // namespace
}  // namespace postura
