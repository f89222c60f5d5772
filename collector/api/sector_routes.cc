#include "collector/api/sector_routes.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/api/http_admit.h"

namespace postura::collector {
namespace {

v1::SectorFeedFigures FiguresOf(const SectorFeedStats& stats) {
  v1::SectorFeedFigures figures;
  figures.set_applied(stats.applied);
  figures.set_stale(stats.stale);
  figures.set_refused(stats.refused);
  figures.set_read_failures(stats.read_failures);
  figures.set_position(stats.position);
  figures.set_last_refusal(stats.last_refusal);
  return figures;
}

int64_t Nanos(absl::Time time) {
  return time == absl::InfinitePast() ? 0 : absl::ToUnixNanos(time);
}

HttpResponse Overview(const SectorFeed& feed, const Gatekeeper& gate, const Catalog& catalog,
                      const HttpRequest& request) {
  if (absl::StatusOr<Principal> p = AdmitPrincipal(request, gate, Permission::kReadOrganization);
      !p.ok()) {
    return ErrorResponse(p.status());
  }
  v1::SectorOverview overview;
  feed.Read([&](const SectorView& view) { overview = OverviewOf(view, catalog, absl::Now()); });
  *overview.mutable_feed() = FiguresOf(feed.stats());
  return JsonResponse(overview);
}

HttpResponse Outcome(const SectorFeed& feed, const Gatekeeper& gate, const Catalog& catalog,
                     const HttpRequest& request) {
  if (absl::StatusOr<Principal> p = AdmitPrincipal(request, gate, Permission::kReadOrganization);
      !p.ok()) {
    return ErrorResponse(p.status());
  }
  const std::string& id = request.path_params.at("outcome_id");
  std::optional<int> outcome = catalog.FindOutcome(id);
  if (!outcome) return ErrorResponse(absl::NotFoundError(absl::StrCat("no outcome '", id, "'")));
  v1::SectorOutcomeSpread spread;
  feed.Read([&](const SectorView& view) { spread = SpreadOf(view, catalog, *outcome); });
  return JsonResponse(spread);
}

// Sector staff see every organisation's standing; a member organisation's own token (a
// supplier-role token of the tenant named as the organisation) its own only: any other
// is NotFound, worded as for one that does not exist.
bool MayRead(const Principal& principal, const std::string& organisation_id) {
  return principal.SeesAllTenants() ||
         (principal.role == v1::ROLE_SUPPLIER && principal.tenant_id == organisation_id);
}

HttpResponse Organisation(const SectorFeed& feed, const Gatekeeper& gate, const Catalog& catalog,
                          const HttpRequest& request) {
  absl::StatusOr<Principal> principal = AdmitPrincipal(request, gate, Permission::kReadScores);
  if (!principal.ok()) return ErrorResponse(principal.status());
  const std::string& id = request.path_params.at("organisation_id");
  std::optional<SectorPosition> position;
  if (MayRead(*principal, id)) {
    feed.Read([&](const SectorView& view) { position = view.PositionOf(id); });
  }
  if (!position) {
    return ErrorResponse(
        absl::NotFoundError(absl::StrCat("no organisation '", id, "' with assets at this sector")));
  }
  return JsonResponse(StandingOf(*position, catalog, id));
}

}  // namespace

v1::SectorOverview OverviewOf(const SectorView& view, const Catalog& catalog, absl::Time now) {
  v1::SectorOverview overview;
  overview.set_index(view.Index());
  for (const OrganisationStanding& standing : view.Organisations()) {
    v1::SectorOrganisation& out = *overview.add_organisations();
    out.set_organisation_id(standing.organisation_id);
    out.set_asset_count(standing.asset_count);
    out.set_index(standing.index);
    out.set_adjusted_index(standing.adjusted_index);
    out.set_coverage(standing.coverage);
    out.set_assets_meeting_targets(standing.assets_meeting_targets);
    out.set_updated_unix_nanos(Nanos(standing.updated));
  }
  for (const DegradedOutcome& degraded : view.Degraded(now)) {
    v1::SectorDegradedOutcome& out = *overview.add_degraded();
    out.set_outcome_id(catalog.outcomes()[degraded.outcome].id);
    for (const std::string& id : degraded.organisations) out.add_organisation_ids(id);
    out.set_latest_unix_nanos(Nanos(degraded.latest));
  }
  return overview;
}

v1::SectorOutcomeSpread SpreadOf(const SectorView& view, const Catalog& catalog, int outcome) {
  const Spread spread = view.OutcomeSpread(outcome);
  v1::SectorOutcomeSpread out;
  out.set_outcome_id(catalog.outcomes()[outcome].id);
  out.set_organisations(spread.organisations);
  out.set_mean(spread.mean);
  out.set_min(spread.min);
  out.set_p25(spread.p25);
  out.set_median(spread.median);
  out.set_p75(spread.p75);
  out.set_max(spread.max);
  return out;
}

v1::SectorStanding StandingOf(const SectorPosition& position, const Catalog& catalog,
                              const std::string& organisation_id) {
  v1::SectorStanding out;
  out.set_organisation_id(organisation_id);
  out.set_organisations(position.organisations);
  out.set_index(position.index);
  out.set_index_percentile(position.index_percentile);
  out.set_sector_median_index(position.sector_median_index);
  out.set_coverage(position.coverage);
  out.set_coverage_percentile(position.coverage_percentile);
  for (const SectorPosition::Outcome& outcome : position.outcomes) {
    v1::SectorStanding::Outcome& o = *out.add_outcomes();
    o.set_outcome_id(catalog.outcomes()[outcome.outcome].id);
    o.set_level(outcome.level);
    o.set_sector_mean(outcome.sector_mean);
    o.set_percentile(outcome.percentile);
  }
  return out;
}

std::vector<HttpRoute> SectorRoutes(const SectorFeed& feed, const Gatekeeper& gate,
                                    const Catalog& catalog) {
  const SectorFeed* f = &feed;
  const Gatekeeper* g = &gate;
  const Catalog* c = &catalog;
  return {
      {"GET", "/api/v1/sector",
       [f, g, c](const HttpRequest& request) { return Overview(*f, *g, *c, request); }},
      {"GET", "/api/v1/sector/outcomes/{outcome_id}",
       [f, g, c](const HttpRequest& request) { return Outcome(*f, *g, *c, request); }},
      {"GET", "/api/v1/sector/organisations/{organisation_id}",
       [f, g, c](const HttpRequest& request) { return Organisation(*f, *g, *c, request); }},
  };
}

}  // namespace postura::collector
