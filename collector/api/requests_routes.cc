#include "collector/api/requests_routes.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "collector/api/past_routes.h"
#include "collector/api/requests_admit.h"
#include "collector/api/requests_service.h"

namespace postura::collector {
namespace {

HttpResponse List(RequestBook& book, const v1::Actor& actor, const HttpRequest& request) {
  auto all = request.query_params.find("all");
  v1::ListEvidenceRequestsResponse list;
  for (v1::EvidenceRequest& seen :
       book.List(actor, all != request.query_params.end() && all->second == "true")) {
    *list.add_requests() = std::move(seen);
  }
  return JsonResponse(list);
}

HttpResponse Audit(RequestBook& book, const HttpRequest& request) {
  absl::StatusOr<int64_t> since = TimeParam(request, "since");
  if (!since.ok()) return ErrorResponse(since.status());
  absl::StatusOr<std::vector<v1::AuditEntry>> entries =
      book.Audit(absl::FromUnixNanos(*since), kMaxAuditEntries);
  if (!entries.ok()) return ErrorResponse(entries.status());
  v1::ListAuditResponse audit;
  for (v1::AuditEntry& entry : *entries) *audit.add_entries() = std::move(entry);
  return JsonResponse(audit);
}

// The document as a download: never rendered inline, its type as sniffed on upload.
HttpResponse Document(const RequestBook& book, const v1::Actor& actor, const std::string& sha) {
  absl::StatusOr<v1::StoredDocument> document = book.FindDocument(actor, sha);
  if (!document.ok()) return ErrorResponse(document.status());
  HttpResponse response;
  response.content_type = "application/octet-stream";
  response.headers = {
      {"Content-Disposition", absl::StrCat("attachment; filename=\"", sha.substr(0, 16), "\"")},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Postura-Media-Type", document->media_type()},
      {"Content-Security-Policy", "default-src 'none'; sandbox"},
      {"Cache-Control", "no-store"}};
  response.body_size = document->size_bytes();
  response.body_source = [&book, stored = *document](uint64_t offset, std::string* piece) {
    const uint64_t index = offset / kDocumentChunkBytes;
    if (offset % kDocumentChunkBytes != 0 || index >= stored.chunks()) {
      // httplib asks again from where the last piece ended, always a chunk boundary.
      return false;
    }
    absl::StatusOr<std::string> chunk = book.ReadDocumentChunk(stored, index);
    if (!chunk.ok()) return false;
    *piece = *std::move(chunk);
    return true;
  };
  return response;
}

}  // namespace

std::vector<HttpRoute> RequestsRoutes(RequestBook& book, const Gatekeeper& gate,
                                      const CredentialStore& credentials) {
  // Each route: admit for `permission`, then `work(actor, request)`.
  auto route = [&gate, &credentials](std::string method, std::string path, Permission permission,
                                     auto work,
                                     CookieWrites cookie_writes = CookieWrites::kRefused) {
    return HttpRoute{
        std::move(method), std::move(path),
        [&gate, &credentials, permission, work, cookie_writes](const HttpRequest& request) {
          absl::StatusOr<v1::Actor> actor =
              AdmitActor(request, gate, credentials, permission, cookie_writes);
          if (!actor.ok()) return ErrorResponse(actor.status());
          return work(*actor, request);
        }};
  };
  return {
      route("GET", "/api/v1/requests", Permission::kReadRequests,
            [&book](const v1::Actor& actor, const HttpRequest& request) {
              return List(book, actor, request);
            }),
      route("GET", "/api/v1/requests/{id}", Permission::kReadRequests,
            [&book](const v1::Actor& actor, const HttpRequest& request) {
              return JsonOrError(book.Get(actor, PathParam(request, "id")));
            }),
      route(
          "POST", "/api/v1/requests", Permission::kManageRequests,
          [&book](const v1::Actor& actor, const HttpRequest& request) {
            v1::CreateEvidenceRequestRequest create;
            if (absl::Status s = ParseJsonBody(request, create); !s.ok()) return ErrorResponse(s);
            return JsonOrError(book.Create(actor, create));
          },
          CookieWrites::kFromDashboard),
      route(
          "POST", "/api/v1/requests/{id}/cancel", Permission::kManageRequests,
          [&book](const v1::Actor& actor, const HttpRequest& request) {
            v1::CancelEvidenceRequestRequest cancel;
            if (absl::Status s = ParseJsonBody(request, cancel); !s.ok()) return ErrorResponse(s);
            return JsonOrError(book.Cancel(actor, PathParam(request, "id"), cancel.reason()));
          },
          CookieWrites::kFromDashboard),
      route(
          "POST", "/api/v1/requests/{id}/review", Permission::kReviewRequests,
          [&book](const v1::Actor& actor, const HttpRequest& request) {
            v1::ReviewAnswerRequest review;
            if (absl::Status s = ParseJsonBody(request, review); !s.ok()) return ErrorResponse(s);
            review.set_request_id(PathParam(request, "id"));
            return JsonOrError(book.Review(actor, review));
          },
          CookieWrites::kFromDashboard),
      route("GET", "/api/v1/audit", Permission::kReadAudit,
            [&book](const v1::Actor&, const HttpRequest& request) { return Audit(book, request); }),
      route("GET", "/api/v1/documents/{sha256}", Permission::kReadRequests,
            [&book](const v1::Actor& actor, const HttpRequest& request) {
              return Document(book, actor, PathParam(request, "sha256"));
            }),
      route("POST", "/api/v1/requests/{id}/renew", Permission::kManageRequests,
            [&book](const v1::Actor& actor, const HttpRequest& request) {
              v1::RenewEvidenceRequestRequest renew;
              if (absl::Status s = ParseJsonBody(request, renew); !s.ok()) return ErrorResponse(s);
              renew.set_request_id(PathParam(request, "id"));
              return JsonOrError(book.Renew(actor, renew));
            }),
  };
}

}  // namespace postura::collector
