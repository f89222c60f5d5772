#include "collector/api/past_routes.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collector/api/http_admit.h"
#include "common/config/yaml_config.h"
#include "google/protobuf/struct.pb.h"

namespace postura::collector {
namespace {

// Fills a history request's window and step from the query parameters.
absl::Status SetWindow(const HttpRequest& request, v1::GetScoreHistoryRequest& query) {
  absl::StatusOr<int64_t> since = TimeParam(request, "since");
  if (!since.ok()) return since.status();
  absl::StatusOr<int64_t> until = TimeParam(request, "until");
  if (!until.ok()) return until.status();
  query.set_since_unix_nanos(*since);
  query.set_until_unix_nanos(*until);
  const std::string step = QueryParam(request, "step");
  if (!step.empty()) {
    absl::StatusOr<absl::Duration> duration = ParseConfigDuration(step);
    if (!duration.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter step: ", duration.status().message()));
    }
    query.set_step_nanos(absl::ToInt64Nanoseconds(*duration));
  }
  return absl::OkStatus();
}

HttpResponse History(const PastQueries& past, const Principal& principal,
                     const HttpRequest& request, v1::GetScoreHistoryRequest query) {
  if (absl::Status s = SetWindow(request, query); !s.ok()) return ErrorResponse(s);
  return JsonOrError(past.GetScoreHistory(principal, query));
}

HttpResponse Diff(const PastQueries& past, const Principal& principal, const HttpRequest& request,
                  v1::GetScoreDiffRequest query) {
  absl::StatusOr<int64_t> from = TimeParam(request, "from");
  if (!from.ok()) return ErrorResponse(from.status());
  absl::StatusOr<int64_t> to = TimeParam(request, "to");
  if (!to.ok()) return ErrorResponse(to.status());
  query.set_from_unix_nanos(*from);
  query.set_to_unix_nanos(*to);
  return JsonOrError(past.GetScoreDiff(principal, query));
}

// {"began", "earliest", "now"} of PastQueries::Window, each in RFC 3339.
HttpResponse Window(const PastQueries& past) {
  const PastWindow window = past.Window();
  google::protobuf::Struct body;
  auto& fields = *body.mutable_fields();
  const auto text = [](absl::Time time) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
  };
  fields["began"].set_string_value(text(window.began));
  fields["earliest"].set_string_value(text(window.earliest));
  fields["now"].set_string_value(text(window.now));
  return JsonResponse(body);
}

}  // namespace

absl::StatusOr<int64_t> TimeParam(const HttpRequest& request, const std::string& name) {
  const std::string text = QueryParam(request, name);
  if (text.empty()) return 0;
  int64_t nanos = 0;
  if (absl::SimpleAtoi(text, &nanos)) return nanos;
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return absl::ToUnixNanos(time);
  return absl::InvalidArgumentError(
      absl::StrCat("query parameter ", name,
                   " must be Unix nanoseconds or an RFC 3339 time such "
                   "as 2026-12-01T09:00:00Z, not '",
                   text.substr(0, 40), "'"));
}

std::vector<HttpRoute> PastRoutes(const PastQueries& past, const Gatekeeper& gate) {
  return {
      {"GET", "/api/v1/history",
       Admitted(gate, Permission::kReadScores,
                [&past](const Principal&, const HttpRequest&) { return Window(past); })},
      {"GET", "/api/v1/assets/{asset_id}/history",
       Admitted(gate, Permission::kReadScores,
                [&past](const Principal& principal, const HttpRequest& request) {
                  v1::GetScoreHistoryRequest query;
                  query.set_asset_id(request.path_params.at("asset_id"));
                  return History(past, principal, request, std::move(query));
                })},
      {"GET", "/api/v1/organization/history",
       Admitted(gate, Permission::kReadOrganization,
                [&past](const Principal& principal, const HttpRequest& request) {
                  v1::GetScoreHistoryRequest query;
                  query.set_implementation_group(QueryParam(request, "group"));
                  query.set_department_id(QueryParam(request, "department"));
                  query.set_supplier_id(QueryParam(request, "supplier"));
                  query.set_organization(query.implementation_group().empty() &&
                                         query.department_id().empty() &&
                                         query.supplier_id().empty());
                  return History(past, principal, request, std::move(query));
                })},
      {"GET", "/api/v1/assets/{asset_id}/diff",
       Admitted(gate, Permission::kReadScores,
                [&past](const Principal& principal, const HttpRequest& request) {
                  v1::GetScoreDiffRequest query;
                  query.set_asset_id(request.path_params.at("asset_id"));
                  return Diff(past, principal, request, std::move(query));
                })},
      {"GET", "/api/v1/organization/diff",
       Admitted(gate, Permission::kReadOrganization,
                [&past](const Principal& principal, const HttpRequest& request) {
                  v1::GetScoreDiffRequest query;
                  query.set_organization(true);
                  return Diff(past, principal, request, std::move(query));
                })},
  };
}

}  // namespace postura::collector
