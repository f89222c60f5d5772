// Hostile input: every per-item validation rule, each rejected with its reason while the
// valid items of the same batch pass.

#include "collector/ingest/batch_validator.h"

#include <functional>

#include "absl/strings/escaping.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'763'900'000);

struct HostileItem {
  const char* name;
  std::function<void(v1::Evidence&)> spoil;
  v1::RejectReason reason;
  const char* message;
};

void PrintTo(const HostileItem& item, std::ostream* os) { *os << item.name; }

class BatchValidatorTest : public testing::TestWithParam<HostileItem> {
 protected:
  AgentBinding binding_{"agent-1", {"web", "db"}};
};

TEST_P(BatchValidatorTest, RejectsTheBadItemAndKeepsTheOthers) {
  v1::Batch batch;
  batch.set_sequence(1);
  *batch.add_items() = TestEvidence("web", "PR_AC_CSC_5_2", kNow);
  GetParam().spoil(*batch.add_items() = TestEvidence("db", "ID_AM_CSC_1_1", kNow));
  *batch.add_items() = TestEvidence("db", "DE_CM_DE_CM_1", kNow);

  BatchVerdict verdict = ValidateBatch(batch, binding_, Catalog::Builtin(), {}, kNow);
  EXPECT_EQ(verdict.valid, (std::vector<bool>{true, false, true}));
  ASSERT_EQ(verdict.rejections.size(), 1u);
  EXPECT_EQ(verdict.rejections[0].index(), 1u);
  EXPECT_EQ(verdict.rejections[0].reason(), GetParam().reason);
  EXPECT_THAT(verdict.rejections[0].message(), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, BatchValidatorTest,
    testing::Values(
        HostileItem{"UnknownOutcome", [](v1::Evidence& e) { e.set_outcome_id("PR_XX_9"); },
                    v1::UNKNOWN_OUTCOME, "unknown outcome 'PR_XX_9'"},
        HostileItem{"UnspecifiedLevel", [](v1::Evidence& e) { e.set_level(v1::LEVEL_UNSPECIFIED); },
                    v1::INVALID_LEVEL, "invalid level 0"},
        HostileItem{"OutOfRangeLevel",
                    [](v1::Evidence& e) { e.set_level(static_cast<v1::Level>(42)); },
                    v1::INVALID_LEVEL, "invalid level 42"},
        HostileItem{"ObservedTooFarInFuture",
                    [](v1::Evidence& e) {
                      e.set_observed_at_unix_nanos(absl::ToUnixNanos(kNow + absl::Minutes(6)));
                      e.set_expires_at_unix_nanos(absl::ToUnixNanos(kNow + absl::Hours(2)));
                    },
                    v1::OBSERVED_IN_FUTURE, "6m after the collector's clock"},
        HostileItem{"AssetNotBound", [](v1::Evidence& e) { e.set_asset_id("payroll"); },
                    v1::ASSET_NOT_BOUND, "agent agent-1 is not bound to asset 'payroll'"},
        HostileItem{"DetailTooLong", [](v1::Evidence& e) { e.set_detail(std::string(1025, 'x')); },
                    v1::DETAIL_TOO_LONG, "detail has 1025 bytes; the limit is 1024"},
        HostileItem{
            "ExpiresBeforeObserved",
            [](v1::Evidence& e) { e.set_expires_at_unix_nanos(e.observed_at_unix_nanos()); },
            v1::INVALID_EXPIRY, "expires_at after it"},
        HostileItem{"ObservedUnset", [](v1::Evidence& e) { e.set_observed_at_unix_nanos(0); },
                    v1::INVALID_EXPIRY, "observed_at must be set"},
        HostileItem{"MissingCheckId", [](v1::Evidence& e) { e.clear_check_id(); },
                    v1::MISSING_CHECK_ID, "check_id must be"},
        HostileItem{"CheckIdWithNul",
                    [](v1::Evidence& e) { e.set_check_id(std::string("a\0b", 3)); },
                    v1::MISSING_CHECK_ID, "printable"},
        HostileItem{"UnspecifiedKind",
                    [](v1::Evidence& e) { e.set_kind(v1::EVIDENCE_KIND_UNSPECIFIED); },
                    v1::INVALID_KIND, "invalid kind 0"},
        HostileItem{"ShortContentHash", [](v1::Evidence& e) { e.set_content_sha256("abc"); },
                    v1::INVALID_CONTENT_HASH, "content_sha256 has 3 bytes"}),
    [](const testing::TestParamInfo<HostileItem>& info) { return info.param.name; });

TEST(BatchValidatorRulesTest, FiveMinutesOfClockSkewIsAccepted) {
  AgentBinding binding{"agent-1", {"web"}};
  v1::Batch batch;
  *batch.add_items() = TestEvidence("web", "PR_AC_CSC_5_2", kNow + absl::Minutes(5));
  BatchVerdict verdict = ValidateBatch(batch, binding, Catalog::Builtin(), {}, kNow);
  EXPECT_TRUE(verdict.rejections.empty());
}

TEST(BatchValidatorRulesTest, AttestedEvidenceWithAHashIsValid) {
  AgentBinding binding{"supplier-1", {"web"}};
  v1::Batch batch;
  v1::Evidence& item = *batch.add_items() = TestEvidence("web", "ID_SC_ID_SC_2", kNow);
  item.set_kind(v1::ATTESTED);
  item.set_content_sha256(std::string(32, '\x7f'));
  EXPECT_TRUE(ValidateBatch(batch, binding, Catalog::Builtin(), {}, kNow).rejections.empty());
}

TEST(BatchDigestTest, DependsOnTheItemsAndTheirOrderOnly) {
  v1::Batch batch;
  batch.set_sequence(4);
  *batch.add_items() = TestEvidence("web", "PR_AC_CSC_5_2", kNow);
  *batch.add_items() = TestEvidence("db", "ID_AM_CSC_1_1", kNow);
  v1::Batch resent = batch;
  resent.set_sequence(9);
  resent.set_dropped_items_total(3);
  EXPECT_EQ(BatchDigest(resent), BatchDigest(batch));
  v1::Batch changed = batch;
  changed.mutable_items(1)->set_level(v1::DLI_100);
  EXPECT_NE(BatchDigest(changed), BatchDigest(batch));
  v1::Batch swapped = batch;
  swapped.mutable_items()->SwapElements(0, 1);
  EXPECT_NE(BatchDigest(swapped), BatchDigest(batch));
  // No items: the SHA-256 of nothing.
  const std::array<uint8_t, 32> empty = BatchDigest(v1::Batch());
  EXPECT_EQ(absl::BytesToHexString(
                absl::string_view(reinterpret_cast<const char*>(empty.data()), empty.size())),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace postura::collector
