#include "collector/api/requests_admit.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "collector/api/requests_service.h"

namespace postura::collector {
namespace {

const std::string* Header(const HttpRequest& request, const std::string& name) {
  auto found = request.headers.find(name);
  return found == request.headers.end() ? nullptr : &found->second;
}

}  // namespace

bool IsDashboardWrite(const HttpRequest& request) {
  const std::string* marker = Header(request, "x-postura-dashboard");
  const std::string* origin = Header(request, "origin");
  const std::string* host = Header(request, "host");
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
  return gate.AdmitHttp(Header(request, "authorization"),
                        cookie_allowed ? Header(request, "cookie") : nullptr, permission);
}

absl::StatusOr<v1::Actor> AdmitActor(const HttpRequest& request, const Gatekeeper& gate,
                                     const CredentialStore& credentials, Permission permission,
                                     CookieWrites cookie_writes) {
  absl::StatusOr<Principal> principal = AdmitPrincipal(request, gate, permission, cookie_writes);
  if (!principal.ok()) return principal.status();
  return ActorOf(*principal, credentials);
}

std::string PathParam(const HttpRequest& request, const std::string& name) {
  auto it = request.path_params.find(name);
  return it == request.path_params.end() ? "" : it->second;
}

}  // namespace postura::collector
