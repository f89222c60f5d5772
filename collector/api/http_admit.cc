#include "collector/api/http_admit.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"

namespace postura::collector {

bool IsDashboardWrite(const HttpRequest& request) {
  const std::string* marker = HeaderValue(request, "x-postura-dashboard");
  const std::string* origin = HeaderValue(request, "origin");
  const std::string* host = HeaderValue(request, "host");
  if (marker == nullptr || *marker != "1" || origin == nullptr || host == nullptr) return false;
  absl::string_view origin_host = *origin;
  if (!absl::ConsumePrefix(&origin_host, "https://") &&
      !absl::ConsumePrefix(&origin_host, "http://")) {
    return false;
  }
  return !host->empty() && absl::EqualsIgnoreCase(origin_host, *host);
}

absl::StatusOr<Principal> AdmitPrincipal(const HttpRequest& request, const Gatekeeper& gate,
                                         Permission permission, CookieWrites cookie_writes) {
  const bool reads = request.method == "GET" || request.method == "HEAD";
  const bool cookie_allowed =
      reads || (cookie_writes == CookieWrites::kFromDashboard && IsDashboardWrite(request));
  const std::string* authorization = HeaderValue(request, "authorization");
  // Failed bearer tokens count against the client's address (auth_throttle.h).
  return gate.AdmitFrom(
      request.remote_address, authorization != nullptr && !BearerToken(*authorization).empty(),
      [&] {
        return gate.AdmitHttp(
            authorization, cookie_allowed ? HeaderValue(request, "cookie") : nullptr, permission);
      });
}

HttpHandler Admitted(const Gatekeeper& gate, Permission permission,
                     std::function<HttpResponse(const Principal&, const HttpRequest&)> handler) {
  return [&gate, permission, handler = std::move(handler)](const HttpRequest& request) {
    absl::StatusOr<Principal> principal = AdmitPrincipal(request, gate, permission);
    if (!principal.ok()) return ErrorResponse(principal.status());
    return handler(*principal, request);
  };
}

std::string PathParam(const HttpRequest& request, const std::string& name) {
  auto it = request.path_params.find(name);
  return it == request.path_params.end() ? "" : it->second;
}

std::string QueryParam(const HttpRequest& request, const std::string& name) {
  auto it = request.query_params.find(name);
  return it == request.query_params.end() ? "" : it->second;
}

const std::string* HeaderValue(const HttpRequest& request, const std::string& name) {
  auto it = request.headers.find(name);
  return it == request.headers.end() ? nullptr : &it->second;
}

absl::Status ParseJsonBody(const HttpRequest& request, google::protobuf::Message& message) {
  if (request.body.empty()) return absl::OkStatus();
  google::protobuf::util::JsonParseOptions options;
  if (auto parsed = google::protobuf::util::JsonStringToMessage(request.body, &message, options);
      !parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body is not a valid JSON request: ", parsed.message().ToString()));
  }
  return absl::OkStatus();
}

}  // namespace postura::collector
