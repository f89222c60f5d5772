#ifndef POSTURA_COLLECTOR_API_HTTP_WIRE_H_
#define POSTURA_COLLECTOR_API_HTTP_WIRE_H_

// How the HTTP server (http_server.h) speaks through cpp-httplib: its responses applied
// to httplib's, JSON error bodies, the refusals made before a body is read (and the
// connection closed), and uploads streamed through httplib's multipart reader. Only
// http_server.cc includes this, so that httplib stays out of http_server.h.
//
// Threading: free functions, called on the server's worker threads, sharing nothing.

#include <httplib.h>

#include <cstdint>

#include "absl/status/status.h"
#include "collector/api/credential_rate.h"
#include "collector/api/http_server.h"

namespace postura::collector::http_wire {

// httplib's server, used only to parse, route and answer the requests HttpListener reads.
class RoutingServer : public httplib::Server {
 public:
  bool ServeRequest(httplib::Stream& stream, bool close_connection, bool& connection_closed) {
    return process_request(stream, close_connection, connection_closed, nullptr);
  }
  // httplib's content providers (event streams, documents) stop once the server socket
  // it would own is INVALID_SOCKET, its sign of shutting down. The listener owns the real
  // socket, and httplib only compares this one, so any other value means serving.
  void SetServing(bool serving) { svr_sock_ = serving ? 0 : INVALID_SOCKET; }
};

// Puts `response` into httplib's, streaming its body_source if it has one.
void Apply(const HttpResponse& response, httplib::Response& res);

// {"error": {"code", "message"}} with the given HTTP status.
HttpResponse ErrorWithHttpStatus(int http_status, const absl::Status& status);

// The JSON error for a status httplib chose itself, before or instead of a handler.
HttpResponse TransportError(int http_status, const httplib::Request& req);

// Answers `response` and closes the connection after it, for a request whose body was
// not read (see the .cc). `response.body` must not be empty.
void ApplyAndClose(const HttpResponse& response, httplib::Response& res);

// Whether `res` is such a refusal, whose body the error handler must leave alone.
bool IsClosingRefusal(const httplib::Response& res);

// Refuses, before httplib reads the body, what it would read without bound (compressed:
// 415; chunked or without a length: 411) or what is over `body_limit` by its
// Content-Length (413), and closes the connection. True when it answered.
bool RefuseBeforeReading(const httplib::Request& req, uint64_t body_limit, httplib::Response& res);

// Refuses a request whose credential (Authorization, or else the session cookie) is over
// its rate in `rate`: 429 with Retry-After, closing the connection if a body may follow.
// True when it answered.
bool RefuseOverRate(CredentialRateLimiter& rate, const httplib::Request& req,
                    httplib::Response& res);

// Serves one upload: `handler` streams the multipart body through `content_reader`. A body
// that is not multipart/form-data is 415. The connection closes after the answer unless
// the body was read to its valid end.
void ServeUpload(const HttpUploadHandler& handler, const httplib::Request& req,
                 const HttpRequest& request, const httplib::ContentReader& content_reader,
                 httplib::Response& res);

}  // namespace postura::collector::http_wire

#endif  // POSTURA_COLLECTOR_API_HTTP_WIRE_H_
