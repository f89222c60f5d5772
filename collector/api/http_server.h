#ifndef POSTURA_COLLECTOR_API_HTTP_SERVER_H_
#define POSTURA_COLLECTOR_API_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/api/credential_rate.h"
#include "collector/api/event_stream.h"
#include "collector/api/http_limits.h"
#include "collector/api/http_listener.h"
#include "collector/api/tls_identity.h"
#include "google/protobuf/message.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace postura::collector {
namespace http_wire {
class RoutingServer;
}  // namespace http_wire

struct HttpServerOptions {
  // "host:port" to listen on; "[::1]:port" for IPv6. Port 0 picks a free port, which
  // HttpServer::address() then reports.
  std::string listen_address = "127.0.0.1:0";
  HttpLimits limits{};  // Bounds against slow and flooding clients (http_limits.h).
  // An event stream that has sent nothing for this long sends a comment line, so that
  // proxies keep the connection open and a departed client is noticed.
  absl::Duration sse_keepalive_interval = absl::Seconds(15);
  // PEM files of the server's certificate chain and private key: with them the server
  // speaks only HTTPS. Both empty: plain HTTP (tests of this class only; the collector
  // always gives them).
  std::string tls_certificate_file{};
  std::string tls_key_file{};
  // Instead of the files: an identity that a reload may replace while serving (HTTPS).
  std::shared_ptr<const TlsIdentity> tls_identity{};
};

struct HttpRequest {
  std::string method{};
  std::string path{};  // Percent-decoded, without the query.
  // Named segments of the route's pattern: "{asset_id}" yields path_params["asset_id"].
  std::map<std::string, std::string> path_params{};
  // Percent-decoded; a key given several times has several entries, in request order.
  std::multimap<std::string, std::string> query_params{};
  // Header names in lower case.
  std::multimap<std::string, std::string> headers{};
  std::string body{};
  std::string remote_address{};  // The client's IP address (no port).
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body{};
  std::vector<std::pair<std::string, std::string>> headers{};  // Extra headers.
  // A body too large to hold (a document): when set, `body` is ignored and the server
  // asks for `body_size` bytes piece by piece, from its own thread; the source puts the
  // next piece at `offset` into `*piece` and returns false on an error (the connection
  // then closes).
  std::function<bool(uint64_t offset, std::string* piece)> body_source{};
  uint64_t body_size = 0;
};

// Answers one request. Called on a worker thread, possibly for several requests at
// once, so it must be thread-safe.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpRoute {
  std::string method;  // "GET", "POST", "PUT", "PATCH" or "DELETE". GET also answers HEAD.
  // Literal segments and whole-segment names: "/api/v1/assets/{asset_id}/gaps". A name
  // matches one non-empty segment.
  std::string path;
  HttpHandler handler;
};

// One part of a multipart/form-data body, as its headers describe it.
struct HttpFormPart {
  std::string name{};          // The form field's name.
  std::string file_name{};     // The file's name as the client gave it; empty for a field.
  std::string content_type{};  // As the client declared it; never trusted.
};

// Reads a multipart/form-data body as it arrives, never whole: `on_part` at the start of
// each part, then `on_data` with its bytes, in pieces of any size. Either returning false
// stops reading. Returns true once the whole body was read and was valid multipart; false
// if a callback stopped it, the body is malformed or the client went away. Call it at
// most once.
using HttpFormReader = std::function<bool(const std::function<bool(const HttpFormPart&)>& on_part,
                                          const std::function<bool(absl::string_view)>& on_data)>;

// Answers an upload: `request` has no body; `read_form` reads it. A handler that answers
// without reading the body to its end gets its connection closed after the answer.
using HttpUploadHandler =
    std::function<HttpResponse(const HttpRequest& request, const HttpFormReader& read_form)>;

// A POST route whose multipart/form-data body the handler streams itself, for uploads
// larger than HttpServerOptions::max_body_bytes. A body of another type is 415 before the
// handler runs; one whose Content-Length is over `max_body_bytes()` (asked per request,
// so a reload may change it) is 413 before it is read.
struct HttpUploadRoute {
  std::string path;  // Same syntax as HttpRoute::path.
  std::function<uint64_t()> max_body_bytes;
  HttpUploadHandler handler;
};

// A response fixed at startup, such as a page or script compiled into the binary. GET only.
struct HttpStaticRoute {
  std::string path;  // Same syntax as HttpRoute::path; named segments are ignored.
  std::string content_type;
  std::string body;
};

// Opens the source of a stream for `request`. A non-OK status is answered as by
// ErrorResponse and no stream starts. Same threading as HttpHandler.
using SseOpener = std::function<absl::StatusOr<std::unique_ptr<SseSource>>(const HttpRequest&)>;

// A GET route answered with a stream of events (Content-Type text/event-stream).
struct HttpStreamRoute {
  std::string path;  // Same syntax as HttpRoute::path.
  SseOpener open;
};

// An HTTP/1.1 server on its own threads, for the collector's JSON API, event streams
// and embedded pages. Every error is answered with a JSON body
// {"error": {"code": "NOT_FOUND", "message": "..."}} whose code is an absl status code
// name, and none stops the server: an unknown path is 404 NOT_FOUND, a known path with
// another method 405 UNIMPLEMENTED (with an Allow header), a body that is too large 413,
// without a length 411 or compressed (any Content-Encoding) 415 (all INVALID_ARGUMENT), a
// handler that throws 500 INTERNAL. The 411 and 415 refusals come before the body is read,
// before any handler (so before any token check), and close the connection.
//
// httplib parses and answers requests; HttpListener owns sockets, threads and deadlines.
// Limits fixed in Debian's httplib 0.11 (docs/security.md): a request line over 8192 bytes
// is 414 and a header line over 8192 bytes 400, each buffered whole before it is measured.
//
// Thread-safe. Handlers and sources must not call Shutdown.
class HttpServer {
 public:
  // Binds `options.listen_address` and starts serving. For each request the first route
  // of its method that matches, in the order given (routes, then stream routes, then
  // static routes), answers. InvalidArgument for a malformed address, option, route
  // pattern or method, or a missing handler; Unavailable if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const HttpServerOptions& options, std::vector<HttpRoute> routes,
      std::vector<HttpStreamRoute> stream_routes = {},
      std::vector<HttpStaticRoute> static_routes = {},
      std::vector<HttpUploadRoute> upload_routes = {});
  ~HttpServer();  // Shuts down.

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The address actually bound, "host:port", with the port chosen if 0 was asked for.
  const std::string& address() const { return address_; }

  // Stops accepting, ends open event streams (within about 250 ms of their source's
  // Next returning), closes the connections waiting for a request (idle or still
  // arriving), lets requests being answered finish and joins every thread. Idempotent.
  void Shutdown();

  // The listener's figures (connections accepted, refused, timed out, open).
  HttpListenerStats listener_stats() const;

 private:
  struct CompiledRoute;

  HttpServer(const HttpServerOptions& options, SslContext tls_context);
  absl::Status AddRoutes(std::vector<HttpRoute> routes, std::vector<HttpStreamRoute> stream_routes,
                         std::vector<HttpStaticRoute> static_routes);
  absl::Status AddUploadRoutes(std::vector<HttpUploadRoute> routes);
  // Refuses, before httplib reads the body, a credential over its rate (429), what it
  // would read without bound or what is over the route's limit (true: answered).
  bool RefuseBeforeReading(const httplib::Request& req, httplib::Response& res) const;
  void AddStreamRoute(const std::string& regex, std::vector<std::string> names, SseOpener open);
  // Binds and starts accepting.
  absl::Status Listen(const std::string& host, int port);
  // The methods, comma-separated, of the routes that match `path` if none of them is for
  // `method`; empty otherwise.
  std::string OtherMethodsFor(absl::string_view method, const std::string& path) const;

  const HttpServerOptions options_;
  SslContext tls_context_;  // Null for plain HTTP.
  std::unique_ptr<http_wire::RoutingServer> server_;
  std::unique_ptr<CredentialRateLimiter> rate_;  // Null without a rate limit.
  std::unique_ptr<HttpListener> listener_;
  std::vector<CompiledRoute> routes_;  // Immutable once serving.
  struct UploadLimit;
  std::vector<UploadLimit> upload_limits_;  // Immutable once serving.
  std::string address_;
  std::atomic<bool> stopping_{false};  // Set first thing by Shutdown.
  absl::Mutex shutdown_mu_;            // Serializes Shutdown.
};

// 200 with the JSON form of `message` (proto3 JSON names, every field printed, defaults
// included); 500 if it cannot be printed.
HttpResponse JsonResponse(const google::protobuf::Message& message);

// The HTTP status for a non-OK `status` and a body {"error": {"code", "message"}}:
// InvalidArgument and OutOfRange 400, Unauthenticated 401, PermissionDenied 403, NotFound
// 404, FailedPrecondition, AlreadyExists and Aborted 409, ResourceExhausted 429,
// Unavailable 503, DeadlineExceeded 504, others 500.
HttpResponse ErrorResponse(const absl::Status& status);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_HTTP_SERVER_H_
