#include "collector/api/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "collector/api/http_security_headers.h"
#include "collector/api/http_wire.h"
#include "collector/api/route_pattern.h"
#include "glog/logging.h"
#include "google/protobuf/util/json_util.h"

namespace postura::collector {

using http_wire::Apply;
using http_wire::ApplyAndClose;
using http_wire::ErrorWithHttpStatus;
using http_wire::IsClosingRefusal;
using http_wire::ServeUpload;
using http_wire::TransportError;

// An upload may take this much longer than request_timeout per byte it declares.
constexpr double kMinUploadBytesPerSecond = 64 * 1024;

// A route as the 405 check sees it: its path's segments, std::nullopt for a named one.
// (Matched here without std::regex, whose compiler GCC 12 warns about under sanitizers.)
struct HttpServer::CompiledRoute {
  std::string method;
  std::vector<std::optional<std::string>> segments;
};

// An upload route's body limit, for the check before the body is read.
struct HttpServer::UploadLimit {
  std::vector<std::optional<std::string>> segments;
  std::function<uint64_t()> max_body_bytes;
};

namespace {

struct HostPort {
  std::string host;
  int port = 0;
};

absl::StatusOr<HostPort> ParseListenAddress(absl::string_view address) {
  const size_t colon = address.rfind(':');
  absl::string_view host = address.substr(0, colon);
  HostPort out;
  bool valid = colon != absl::string_view::npos &&
               absl::SimpleAtoi(address.substr(colon + 1), &out.port) && out.port >= 0 &&
               out.port <= 65535;
  if (absl::ConsumePrefix(&host, "[")) {
    valid = valid && absl::ConsumeSuffix(&host, "]");
  } else {
    valid = valid && !absl::StrContains(host, ':');
  }
  if (!valid || host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address '", address, "' is not host:port or [ipv6]:port"));
  }
  out.host = std::string(host);
  return out;
}

std::string FormatHostPort(absl::string_view host, int port) {
  if (absl::StrContains(host, ':')) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

HttpRequest ToHttpRequest(const httplib::Request& req, const std::vector<std::string>& names) {
  HttpRequest out;
  out.method = req.method;
  out.path = req.path;
  for (size_t i = 0; i < names.size() && i + 1 < req.matches.size(); ++i) {
    out.path_params[names[i]] = req.matches[i + 1].str();
  }
  out.query_params.insert(req.params.begin(), req.params.end());
  for (const auto& [name, value] : req.headers) {
    out.headers.emplace(absl::AsciiStrToLower(name), value);
  }
  out.body = req.body;
  out.remote_address = req.remote_addr;
  return out;
}

absl::StatusOr<std::unique_ptr<SseSource>> OpenSource(const SseOpener& open,
                                                      const HttpRequest& request,
                                                      const std::atomic<bool>& stopping) {
  absl::StatusOr<std::unique_ptr<SseSource>> source = open(request);
  if (!source.ok()) return source.status();
  if (*source == nullptr) {
    return absl::InternalError(absl::StrCat("no event source for ", request.path));
  }
  if (stopping.load()) return absl::UnavailableError("the server is shutting down");
  return source;
}

}  // namespace

HttpServer::HttpServer(const HttpServerOptions& options, SslContext tls_context)
    : options_(options),
      tls_context_(std::move(tls_context)),
      server_(std::make_unique<http_wire::RoutingServer>()) {
  if (options_.limits.requests_per_second_per_credential > 0 &&
      options_.limits.request_burst_per_credential >= 1) {
    rate_ =
        std::make_unique<CredentialRateLimiter>(options_.limits.requests_per_second_per_credential,
                                                options_.limits.request_burst_per_credential);
  }
  httplib::Headers security_headers;
  for (const auto& [name, value] : kSecurityHeaders) security_headers.emplace(name, value);
  server_->set_default_headers(std::move(security_headers));
  // What the Keep-Alive header announces.
  server_->set_keep_alive_timeout(
      std::max<time_t>(1, absl::ToInt64Seconds(options_.limits.idle_timeout)));
  server_->set_keep_alive_max_count(kMaxRequestsPerConnection);
  // Bodies are limited by RefuseBeforeReading, per route, before they are read; httplib's
  // own limit would also apply to uploads, which may be larger.
  server_->set_payload_max_length(std::numeric_limits<size_t>::max());
  // httplib calls this after reading the headers and before reading the body.
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return RefuseBeforeReading(req, res) ? httplib::Server::HandlerResponse::Handled
                                         : httplib::Server::HandlerResponse::Unhandled;
  });
  server_->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr exception) {
        LOG(ERROR) << "HTTP handler for " << req.method << " " << req.path
                   << " threw: " << DescribeException(exception);
        Apply(ErrorResponse(absl::InternalError("the request handler failed")), res);
      });
  // Called for every response with status >= 400; fills in the ones httplib made itself.
  server_->set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty() || IsClosingRefusal(res)) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        std::string allowed = res.status == 404 ? OtherMethodsFor(req.method, req.path) : "";
        if (allowed.empty()) {
          Apply(TransportError(res.status, req), res);
        } else {
          Apply(ErrorWithHttpStatus(
                    405, absl::UnimplementedError(absl::StrCat(req.method, " is not allowed on ",
                                                               req.path, "; allowed: ", allowed))),
                res);
          res.set_header("Allow", allowed);
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  server_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    VLOG(1) << req.method << " " << req.path << " -> " << res.status;
  });
}

HttpServer::~HttpServer() { Shutdown(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpServerOptions& options, std::vector<HttpRoute> routes,
    std::vector<HttpStreamRoute> stream_routes, std::vector<HttpStaticRoute> static_routes,
    std::vector<HttpUploadRoute> upload_routes) {
  if (options.sse_keepalive_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("HTTP sse_keepalive_interval must be positive");
  }
  absl::StatusOr<HostPort> listen = ParseListenAddress(options.listen_address);
  if (!listen.ok()) return listen.status();
  if (options.tls_certificate_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("HTTP TLS needs both a certificate and a key file");
  }
  absl::StatusOr<SslContext> tls = MakeServerTlsContext(options.tls_certificate_file,
                                                        options.tls_key_file, options.tls_identity);
  if (!tls.ok()) return tls.status();
  std::unique_ptr<HttpServer> server(new HttpServer(options, *std::move(tls)));
  if (absl::Status s =
          server->AddRoutes(std::move(routes), std::move(stream_routes), std::move(static_routes));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = server->AddUploadRoutes(std::move(upload_routes)); !s.ok()) return s;
  if (absl::Status s = server->Listen(listen->host, listen->port); !s.ok()) return s;
  return server;
}

absl::Status HttpServer::AddRoutes(std::vector<HttpRoute> routes,
                                   std::vector<HttpStreamRoute> stream_routes,
                                   std::vector<HttpStaticRoute> static_routes) {
  for (HttpRoute& route : routes) {
    absl::StatusOr<PathPattern> pattern = CompilePattern(route.path);
    if (!pattern.ok()) return pattern.status();
    if (!route.handler)
      return absl::InvalidArgumentError(absl::StrCat("route ", route.path, " has no handler"));
    httplib::Server::Handler handler = [names = pattern->names, handler = std::move(route.handler)](
                                           const httplib::Request& req, httplib::Response& res) {
      Apply(handler(ToHttpRequest(req, names)), res);
    };
    if (route.method == "GET") {
      server_->Get(pattern->regex, std::move(handler));
    } else if (route.method == "POST") {
      server_->Post(pattern->regex, std::move(handler));
    } else if (route.method == "PUT") {
      server_->Put(pattern->regex, std::move(handler));
    } else if (route.method == "PATCH") {
      server_->Patch(pattern->regex, std::move(handler));
    } else if (route.method == "DELETE") {
      server_->Delete(pattern->regex, std::move(handler));
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("route ", route.path, ": unsupported method '", route.method, "'"));
    }
    routes_.push_back(CompiledRoute{route.method, std::move(pattern->segments)});
  }
  for (HttpStreamRoute& route : stream_routes) {
    absl::StatusOr<PathPattern> pattern = CompilePattern(route.path);
    if (!pattern.ok()) return pattern.status();
    if (!route.open)
      return absl::InvalidArgumentError(
          absl::StrCat("stream route ", route.path, " has no opener"));
    AddStreamRoute(pattern->regex, std::move(pattern->names), std::move(route.open));
    routes_.push_back(CompiledRoute{"GET", std::move(pattern->segments)});
  }
  for (HttpStaticRoute& route : static_routes) {
    absl::StatusOr<PathPattern> pattern = CompilePattern(route.path);
    if (!pattern.ok()) return pattern.status();
    server_->Get(pattern->regex, [route = std::move(route)](const httplib::Request& /*req*/,
                                                            httplib::Response& res) {
      res.set_content(route.body, route.content_type);
    });
    routes_.push_back(CompiledRoute{"GET", std::move(pattern->segments)});
  }
  return absl::OkStatus();
}

absl::Status HttpServer::AddUploadRoutes(std::vector<HttpUploadRoute> routes) {
  for (HttpUploadRoute& route : routes) {
    absl::StatusOr<PathPattern> pattern = CompilePattern(route.path);
    if (!pattern.ok()) return pattern.status();
    if (!route.handler || !route.max_body_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("upload route ", route.path, " lacks its handler or body limit"));
    }
    server_->Post(pattern->regex, [names = pattern->names, handler = std::move(route.handler)](
                                      const httplib::Request& req, httplib::Response& res,
                                      const httplib::ContentReader& content_reader) {
      ServeUpload(handler, req, ToHttpRequest(req, names), content_reader, res);
    });
    upload_limits_.push_back(UploadLimit{pattern->segments, std::move(route.max_body_bytes)});
    routes_.push_back(CompiledRoute{"POST", std::move(pattern->segments)});
  }
  return absl::OkStatus();
}

void HttpServer::AddStreamRoute(const std::string& regex, std::vector<std::string> names,
                                SseOpener open) {
  server_->Get(regex, [this, names = std::move(names), open = std::move(open)](
                          const httplib::Request& req, httplib::Response& res) {
    absl::StatusOr<std::unique_ptr<SseSource>> source =
        OpenSource(open, ToHttpRequest(req, names), stopping_);
    if (!source.ok()) {
      Apply(ErrorResponse(source.status()), res);
      return;
    }
    // httplib copies the provider, so the copies share the stream.
    auto stream =
        std::make_shared<SseStream>(std::move(*source), options_.sse_keepalive_interval, stopping_);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");  // Keeps reverse proxies from buffering.
    res.set_chunked_content_provider(
        "text/event-stream",
        [stream](size_t /*offset*/, httplib::DataSink& sink) { return stream->Pump(sink); });
  });
}

bool HttpServer::RefuseBeforeReading(const httplib::Request& req, httplib::Response& res) const {
  if (rate_ != nullptr && http_wire::RefuseOverRate(*rate_, req, res)) return true;
  uint64_t limit = options_.limits.max_body_bytes;
  bool upload = false;
  if (req.method == "POST") {
    for (const UploadLimit& route : upload_limits_) {
      if (SegmentsMatch(route.segments, req.path)) {
        limit = route.max_body_bytes();
        upload = true;
      }
    }
  }
  if (http_wire::RefuseBeforeReading(req, limit, res)) return true;
  uint64_t length = 0;
  if (upload && absl::SimpleAtoi(req.get_header_value("Content-Length"), &length)) {
    ExtendRequestDeadline(absl::Seconds(static_cast<double>(length) / kMinUploadBytesPerSecond));
  }
  return false;
}

absl::Status HttpServer::Listen(const std::string& host, int port) {
  server_->SetServing(true);
  absl::StatusOr<std::unique_ptr<HttpListener>> listener = HttpListener::Start(
      host, port, tls_context_.get(), options_.limits,
      [server = server_.get()](httplib::Stream& stream, bool close_connection,
                               bool& connection_closed) {
        return server->ServeRequest(stream, close_connection, connection_closed);
      });
  if (!listener.ok()) return listener.status();
  listener_ = *std::move(listener);
  address_ = FormatHostPort(host, listener_->port());
  return absl::OkStatus();
}

std::string HttpServer::OtherMethodsFor(absl::string_view method, const std::string& path) const {
  std::vector<absl::string_view> allowed;
  for (const CompiledRoute& route : routes_) {
    if (!SegmentsMatch(route.segments, path)) continue;
    const bool same = route.method == method || (route.method == "GET" && method == "HEAD");
    if (same) return "";
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
    }
  }
  return absl::StrJoin(allowed, ", ");
}

void HttpServer::Shutdown() {
  absl::MutexLock lock(&shutdown_mu_);
  stopping_ = true;
  server_->SetServing(false);
  if (listener_ != nullptr) listener_->Shutdown();
}

HttpListenerStats HttpServer::listener_stats() const {
  return listener_ != nullptr ? listener_->stats() : HttpListenerStats{};
}

HttpResponse JsonResponse(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  HttpResponse response;
  if (auto printed = google::protobuf::util::MessageToJsonString(message, &response.body, options);
      !printed.ok()) {
    return ErrorResponse(absl::InternalError(
        absl::StrCat("cannot print ", message.GetTypeName(), " as JSON: ", printed.ToString())));
  }
  return response;
}

HttpResponse ErrorResponse(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return ErrorWithHttpStatus(400, status);
    case absl::StatusCode::kUnauthenticated:
      return ErrorWithHttpStatus(401, status);
    case absl::StatusCode::kPermissionDenied:
      return ErrorWithHttpStatus(403, status);
    case absl::StatusCode::kNotFound:
      return ErrorWithHttpStatus(404, status);
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return ErrorWithHttpStatus(409, status);
    case absl::StatusCode::kResourceExhausted:
      return ErrorWithHttpStatus(429, status);
    case absl::StatusCode::kUnavailable:
      return ErrorWithHttpStatus(503, status);
    case absl::StatusCode::kDeadlineExceeded:
      return ErrorWithHttpStatus(504, status);
    case absl::StatusCode::kOk:
      return ErrorWithHttpStatus(500, absl::InternalError("ErrorResponse was given an OK status"));
    default:
      return ErrorWithHttpStatus(500, status);
  }
}

}  // namespace postura::collector
