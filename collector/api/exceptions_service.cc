#include "collector/api/exceptions_service.h"

#include <map>
#include <string>
#include <utility>

#include "collector/api/requests_admit.h"
#include "collector/api/requests_service.h"
#include "common/transport/grpc_status.h"

namespace postura::collector {
namespace {

absl::StatusOr<v1::ListRiskExceptionsResponse> ListOf(const ExceptionBook& book,
                                                      const v1::Actor& actor,
                                                      const std::string& asset_id) {
  absl::StatusOr<std::vector<v1::RiskException>> seen = book.List(actor, asset_id);
  if (!seen.ok()) return seen.status();
  v1::ListRiskExceptionsResponse list;
  for (v1::RiskException& exception : *seen) *list.add_exceptions() = std::move(exception);
  return list;
}

void Count(v1::AcceptedRiskCount& count, bool gap) {
  count.set_active_exceptions(count.active_exceptions() + 1);
  if (gap) count.set_gaps_with_accepted_risk(count.gaps_with_accepted_risk() + 1);
}

}  // namespace

v1::AcceptedRisk AcceptedRiskOf(const ExceptionBook& book, const ScoreQueries& queries) {
  std::map<std::string, v1::AcceptedRiskCount> departments, suppliers;
  v1::AcceptedRisk risk;
  std::map<std::string, absl::StatusOr<v1::Gaps>> gaps_by_asset;
  for (const v1::RiskException& exception : book.All()) {
    if (exception.status() != v1::RISK_EXCEPTION_ACTIVE) continue;
    auto [gaps, fresh] = gaps_by_asset.try_emplace(exception.asset_id(), v1::Gaps());
    if (fresh) {
      v1::GetGapsRequest request;
      request.set_asset_id(exception.asset_id());
      gaps->second = queries.GetGaps(request);
    }
    bool gap = false;
    if (gaps->second.ok()) {  // An asset deleted since has no gaps.
      for (const v1::FunctionalAreaGaps& area : gaps->second->areas()) {
        for (const v1::Gap& one : area.gaps()) gap |= one.outcome_id() == exception.outcome_id();
      }
    }
    Count(*risk.mutable_organization(), gap);
    if (!exception.department_id().empty()) Count(departments[exception.department_id()], gap);
    if (!exception.supplier_id().empty()) Count(suppliers[exception.supplier_id()], gap);
  }
  for (auto& [key, count] : departments) {
    count.set_key(key);
    *risk.add_departments() = count;
  }
  for (auto& [key, count] : suppliers) {
    count.set_key(key);
    *risk.add_suppliers() = count;
  }
  return risk;
}

template <typename Response, typename Compute>
grpc::ServerUnaryReactor* ExceptionsService::Admitted(grpc::CallbackServerContext* context,
                                                      Permission permission, Response* response,
                                                      Compute compute) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Principal> principal = gate_.Admit(*context, permission);
  absl::StatusOr<Response> answer =
      principal.ok() ? compute(ActorOf(*principal, credentials_)) : principal.status();
  if (answer.ok()) {
    *response = *std::move(answer);
    reactor->Finish(grpc::Status::OK);
  } else {
    reactor->Finish(ToGrpcStatus(answer.status()));
  }
  return reactor;
}

grpc::ServerUnaryReactor* ExceptionsService::CreateException(
    grpc::CallbackServerContext* context, const v1::CreateRiskExceptionRequest* request,
    v1::RiskException* response) {
  return Admitted(context, Permission::kManageRequests, response,
                  [&](const v1::Actor& actor) { return book_.Create(actor, *request); });
}

grpc::ServerUnaryReactor* ExceptionsService::ListExceptions(
    grpc::CallbackServerContext* context, const v1::ListRiskExceptionsRequest* request,
    v1::ListRiskExceptionsResponse* response) {
  return Admitted(context, Permission::kReadRequests, response, [&](const v1::Actor& actor) {
    return ListOf(book_, actor, request->asset_id());
  });
}

grpc::ServerUnaryReactor* ExceptionsService::RevokeException(
    grpc::CallbackServerContext* context, const v1::RevokeRiskExceptionRequest* request,
    v1::RiskException* response) {
  return Admitted(context, Permission::kManageRequests, response, [&](const v1::Actor& actor) {
    return book_.Revoke(actor, request->exception_id(), request->reason());
  });
}

grpc::ServerUnaryReactor* ExceptionsService::GetAcceptedRisk(grpc::CallbackServerContext* context,
                                                             const v1::GetAcceptedRiskRequest*,
                                                             v1::AcceptedRisk* response) {
  return Admitted(context, Permission::kReadOrganization, response,
                  [&](const v1::Actor&) -> absl::StatusOr<v1::AcceptedRisk> {
                    return AcceptedRiskOf(book_, queries_);
                  });
}

std::vector<HttpRoute> ExceptionsRoutes(ExceptionBook& book, const ScoreQueries& queries,
                                        const Gatekeeper& gate,
                                        const CredentialStore& credentials) {
  // Each route: admit for `permission`, then `work(actor, request)`.
  auto route = [&gate, &credentials](std::string method, std::string path, Permission permission,
                                     auto work) {
    return HttpRoute{std::move(method), std::move(path),
                     [&gate, &credentials, permission, work](const HttpRequest& request) {
                       absl::StatusOr<v1::Actor> actor =
                           AdmitActor(request, gate, credentials, permission);
                       if (!actor.ok()) return ErrorResponse(actor.status());
                       return work(*actor, request);
                     }};
  };
  return {
      route("GET", "/api/v1/exceptions", Permission::kReadRequests,
            [&book](const v1::Actor& actor, const HttpRequest& request) {
              auto asset = request.query_params.find("asset");
              return JsonOrError(
                  ListOf(book, actor, asset == request.query_params.end() ? "" : asset->second));
            }),
      route("GET", "/api/v1/exceptions/accepted-risk", Permission::kReadOrganization,
            [&book, &queries](const v1::Actor&, const HttpRequest&) {
              return JsonResponse(AcceptedRiskOf(book, queries));
            }),
      route("POST", "/api/v1/exceptions", Permission::kManageRequests,
            [&book](const v1::Actor& actor, const HttpRequest& request) {
              v1::CreateRiskExceptionRequest create;
              if (absl::Status s = ParseJsonBody(request, create); !s.ok()) return ErrorResponse(s);
              return JsonOrError(book.Create(actor, create));
            }),
      route("POST", "/api/v1/exceptions/{id}/revoke", Permission::kManageRequests,
            [&book](const v1::Actor& actor, const HttpRequest& request) {
              v1::RevokeRiskExceptionRequest revoke;
              if (absl::Status s = ParseJsonBody(request, revoke); !s.ok()) return ErrorResponse(s);
              return JsonOrError(book.Revoke(actor, request.path_params.at("id"), revoke.reason()));
            }),
  };
}

}  // namespace postura::collector
