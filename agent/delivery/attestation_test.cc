#include "agent/delivery/attestation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

using ::postura::test::HasMessage;
using ::postura::test::TempDir;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'763'900'000);

AgentOptions Options() {
  AgentOptions options;
  options.assets = {"payroll", "web"};
  return options;
}

AttestationRequest Request() {
  AttestationRequest request;
  request.asset = "payroll";
  request.outcome = "ID_SC_ID_SC_2";
  request.level_hundredths = 67;
  request.note = "Supplier audit report 2026-Q3, section 4";
  request.expires_after = absl::Hours(24 * 30);
  return request;
}

TEST(AttestationTest, BuildsAttestedEvidenceWithTheFilesHash) {
  TempDir dir;
  AttestationRequest request = Request();
  request.evidence_file = dir.WriteFile("report.txt", "abc");
  v1::Evidence item = MakeAttestation(request, Options(), Catalog::Builtin(), kNow).value();
  EXPECT_EQ(item.kind(), v1::ATTESTED);
  EXPECT_EQ(item.level(), v1::DLI_67);
  EXPECT_EQ(item.asset_id(), "payroll");
  EXPECT_EQ(item.detail(), request.note);
  EXPECT_EQ(item.expires_at_unix_nanos(), absl::ToUnixNanos(kNow + absl::Hours(24 * 30)));
  ASSERT_EQ(item.content_sha256().size(), 32u);
  EXPECT_EQ(Sha256OfFile(request.evidence_file).value(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AttestationTest, InvalidArgumentsAreRefusedSayingWhatIsAllowed) {
  const Catalog& catalog = Catalog::Builtin();
  AttestationRequest bad = Request();
  bad.asset = "intranet";
  EXPECT_THAT(
      MakeAttestation(bad, Options(), catalog, kNow).status(),
      HasMessage(HasSubstr("--asset 'intranet' is not one of this agent's assets (payroll, web)")));
  bad = Request();
  bad.outcome = "PR.AC";
  EXPECT_THAT(MakeAttestation(bad, Options(), catalog, kNow).status(),
              HasMessage(HasSubstr("--outcome 'PR.AC' is not a ULEO outcome id")));
  bad = Request();
  bad.level_hundredths = 50;
  EXPECT_THAT(MakeAttestation(bad, Options(), catalog, kNow).status(),
              HasMessage(HasSubstr("--level must be 0, 33, 67 or 100")));
  bad = Request();
  bad.note = "";
  EXPECT_THAT(MakeAttestation(bad, Options(), catalog, kNow).status(),
              HasMessage(HasSubstr("--note")));
  bad = Request();
  bad.evidence_file = "/nonexistent/report.pdf";
  EXPECT_EQ(MakeAttestation(bad, Options(), catalog, kNow).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(AttestationTest, InboxItemsReachTheSpoolOnceAndBadFilesAreSetAside) {
  TempDir dir;
  const v1::Evidence item = MakeAttestation(Request(), Options(), Catalog::Builtin(), kNow).value();
  ASSERT_TRUE(PutInInbox(dir.path(), item).ok());
  ASSERT_TRUE(PutInInbox(dir.path(), item).ok());
  dir.WriteFile("inbox/garbage.evidence", "\xff\xff\xff");
  auto spool = Spool::Open({.directory = dir.path()}).value();
  EXPECT_EQ(DrainInbox(dir.path(), *spool).value(), 2);
  EXPECT_EQ(DrainInbox(dir.path(), *spool).value(), 0);  // Nothing left to take.
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "inbox/garbage.evidence.bad"));
  absl::StatusOr<std::vector<v1::Batch>> batches = spool->Read(0, 10);
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 1u);
  EXPECT_EQ((*batches)[0].items_size(), 2);
  EXPECT_EQ((*batches)[0].items(0).kind(), v1::ATTESTED);
}

}  // namespace
}  // namespace postura::agent
