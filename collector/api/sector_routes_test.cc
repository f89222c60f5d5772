#include "collector/api/sector_routes.h"

#include <string>

#include "collector/api/sector_metrics.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

v1::SectorAssetSummary Summary(const std::string& organisation, uint64_t version, double value,
                               unsigned char first_level, absl::Time published) {
  const size_t outcomes = Catalog::Builtin().outcomes().size();
  v1::SectorAssetSummary summary;
  summary.set_organisation_id(organisation);
  summary.set_asset_ref("a");
  summary.set_version(version);
  summary.set_published_at_unix_nanos(absl::ToUnixNanos(published));
  summary.set_implementation_group(v1::IG1);
  summary.set_value(value);
  summary.set_adjusted_value(value);
  summary.set_coverage(1);
  std::string levels(outcomes, '\0');
  levels[0] = static_cast<char>(first_level);
  summary.set_outcome_levels(levels);
  return summary;
}

TEST(SectorRoutesTest, TheOverviewNamesOutcomesAndOrganisations) {
  SectorView view(Catalog::Builtin().outcomes().size(),
                  {.degraded_min_organisations = 2, .degraded_window = absl::Hours(1)});
  for (const char* organisation : {"health", "water"}) {
    view.Apply(Summary(organisation, 1, 0.5, 4, kT0));
    view.Apply(Summary(organisation, 2, 0.4, 2, kT0 + absl::Minutes(5)));
  }
  const v1::SectorOverview overview = OverviewOf(view, Catalog::Builtin(), kT0 + absl::Minutes(10));
  EXPECT_THAT(overview.index(), DoubleNear(0.4, 1e-12));
  ASSERT_EQ(overview.organisations_size(), 2);
  EXPECT_EQ(overview.organisations(0).organisation_id(), "health");
  EXPECT_EQ(overview.organisations(0).updated_unix_nanos(),
            absl::ToUnixNanos(kT0 + absl::Minutes(5)));
  ASSERT_EQ(overview.degraded_size(), 1);
  EXPECT_EQ(overview.degraded(0).outcome_id(), Catalog::Builtin().outcomes()[0].id);
  EXPECT_THAT(overview.degraded(0).organisation_ids(), ElementsAre("health", "water"));

  const v1::SectorOutcomeSpread spread = SpreadOf(view, Catalog::Builtin(), 0);
  EXPECT_EQ(spread.outcome_id(), Catalog::Builtin().outcomes()[0].id);
  EXPECT_EQ(spread.organisations(), 2u);
  EXPECT_THAT(spread.median(), DoubleNear(0.33, 1e-12));

  const v1::SectorStanding standing =
      StandingOf(view.PositionOf("water").value(), Catalog::Builtin(), "water");
  EXPECT_EQ(standing.organisation_id(), "water");
  EXPECT_EQ(standing.organisations(), 2u);
  EXPECT_THAT(standing.index_percentile(), DoubleNear(50, 1e-9));
  ASSERT_EQ(standing.outcomes_size(), 1);
  EXPECT_EQ(standing.outcomes(0).outcome_id(), Catalog::Builtin().outcomes()[0].id);
  // Nothing in a standing names another organisation.
  EXPECT_EQ(standing.SerializeAsString().find("health"), std::string::npos);
}

TEST(SectorMetricsTest, WritesWhatWasPublishedAndWhatTheFeedTookOrRefused) {
  PrometheusText out;
  WriteSectorPublisherMetrics({.published = 40, .failures = 2, .rounds = 9}, out);
  WriteSectorFeedMetrics({.applied = 30,
                          .stale = 4,
                          .refused = 5,
                          .read_failures = 1,
                          .position = 39,
                          .last_refusal = "x"},
                         out);
  const std::string text = out.Take();
  for (const char* sample :
       {"postura_sector_published_total 40\n", "postura_sector_publish_failures_total 2\n",
        "postura_sector_summaries_total{result=\"applied\"} 30\n",
        "postura_sector_summaries_total{result=\"stale\"} 4\n",
        "postura_sector_summaries_total{result=\"refused\"} 5\n",
        "postura_sector_read_failures_total 1\n", "postura_sector_stream_position 39\n",
        "# TYPE postura_sector_stream_position gauge\n"}) {
    EXPECT_NE(text.find(sample), std::string::npos) << sample << " in\n" << text;
  }
}

}  // namespace
}  // namespace postura::collector
