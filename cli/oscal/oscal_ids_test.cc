#include "cli/oscal/oscal_ids.h"

#include "gtest/gtest.h"

namespace postura::oscal {
namespace {

TEST(OscalIdsTest, UuidV5MatchesRfc4122ReferenceValues) {
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org").
  constexpr UuidBytes kDnsNamespace = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                       0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  EXPECT_EQ(UuidV5(kDnsNamespace, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

TEST(OscalIdsTest, StableUuidIsVersion5InPosturasNamespaceAndRepeatable) {
  // Python: uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "https://postura.dev/ns/oscal"),
  //                    "finding/web/ID_AM_CSC_1_1").
  EXPECT_EQ(StableUuid("finding/web/ID_AM_CSC_1_1"), "cd175583-5a31-5b81-8087-5abc0716079e");
  EXPECT_EQ(StableUuid("a"), StableUuid("a"));
  EXPECT_NE(StableUuid("a"), StableUuid("b"));
}

TEST(OscalIdsTest, OscalTimeIsUtcWithFractionsOnlyWhenPresent) {
  EXPECT_EQ(OscalTime(absl::FromUnixSeconds(1'700'000'000)), "2023-11-14T22:13:20Z");
  EXPECT_EQ(OscalTime(absl::FromUnixMillis(1'700'000'000'250)), "2023-11-14T22:13:20.25Z");
}

TEST(OscalIdsTest, OscalStringIsOneTrimmedLineOrTheFallback) {
  EXPECT_EQ(OscalString("  two\nlines\t ", "x"), "two lines");
  EXPECT_EQ(OscalString(" \n ", "x"), "x");
  const Json prop = PosturaProp("level", "");
  EXPECT_EQ(prop["ns"], kPosturaNamespace);
  EXPECT_EQ(prop["value"], "-");
}

}  // namespace
}  // namespace postura::oscal
