#include "collector/api/http_wire.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/access/gatekeeper.h"
#include "nlohmann/json.hpp"

namespace postura::collector::http_wire {
namespace {

std::string ErrorBody(const absl::Status& status) {
  nlohmann::json body = {{"error",
                          {{"code", absl::StatusCodeToString(status.code())},
                           {"message", std::string(status.message())}}}};
  // Messages may quote request bytes, which need not be UTF-8.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// httplib reads a chunked request body, or a POST, PUT or PATCH body without a length,
// to the end with no size limit (and the latter waits for the read timeout), so such
// requests are refused before their body is read.
bool NeedsLengthRequired(const httplib::Request& req) {
  if (req.has_header("Transfer-Encoding")) return true;
  const bool reads_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
  return reads_body && !req.has_header("Content-Length");
}

// httplib 0.11 (Debian's, built with zlib and brotli) inflates a request body sent with
// Content-Encoding gzip, deflate or br into memory whole, with no limit: the payload limit
// counts the compressed bytes, so 300 KB of gzip became 850 MiB before any handler or
// token check ran. The API takes no compressed bodies, so a request that declares any
// Content-Encoding is refused before its body is read.
bool HasContentEncoding(const httplib::Request& req) { return req.has_header("Content-Encoding"); }

}  // namespace

void Apply(const HttpResponse& response, httplib::Response& res) {
  res.status = response.status;
  for (const auto& [name, value] : response.headers) res.set_header(name, value);
  if (response.body_source) {
    res.set_content_provider(
        response.body_size, response.content_type,
        [source = response.body_source](size_t offset, size_t, httplib::DataSink& sink) {
          std::string piece;
          if (!source(offset, &piece) || piece.empty()) return false;
          return sink.write(piece.data(), piece.size());
        });
    return;
  }
  res.set_content(response.body, response.content_type);
}

HttpResponse ErrorWithHttpStatus(int http_status, const absl::Status& status) {
  return HttpResponse{.status = http_status, .body = ErrorBody(status)};
}

// The JSON error for a status httplib chose itself, before or instead of a handler.
HttpResponse TransportError(int http_status, const httplib::Request& req) {
  switch (http_status) {
    case 404:
      return ErrorWithHttpStatus(
          404, absl::NotFoundError(absl::StrCat("no route for ", req.method, " ", req.path)));
    case 413:
      return ErrorWithHttpStatus(413, absl::InvalidArgumentError("request body is too large"));
    default:
      break;
  }
  absl::Status status = http_status < 500
                            ? absl::InvalidArgumentError(absl::StrCat("HTTP ", http_status))
                            : absl::InternalError(absl::StrCat("HTTP ", http_status));
  return ErrorWithHttpStatus(http_status, status);
}

// The refusal of a request whose body is not read: answers `response` and then closes the
// connection, since on a kept-alive connection httplib would read the unread body as the
// next request (a request smuggled in a body, behind a proxy that shares connections).
// httplib 0.11 ignores a response's "Connection: close"; it closes the connection when a
// content provider fails, so the body goes out through one that fails once it has written
// everything. `response.body` must not be empty: an empty provider never runs. (HEAD
// responses have no body, so they do not close; httplib reads no HEAD body either.)
void ApplyAndClose(const HttpResponse& response, httplib::Response& res) {
  res.status = response.status;
  for (const auto& [name, value] : response.headers) res.set_header(name, value);
  res.set_header("Connection", "close");
  res.set_content_provider(
      response.body.size(), response.content_type,
      [body = response.body](size_t offset, size_t length, httplib::DataSink& sink) {
        sink.write(body.data() + offset, std::min(length, body.size() - offset));
        return false;
      });
}

// Whether `res` is such a refusal, whose body the error handler must leave alone.
bool IsClosingRefusal(const httplib::Response& res) {
  return res.get_header_value("Connection") == "close";
}

// Serves one upload: the handler streams the multipart body through `content_reader`.
// The connection closes after the answer unless the body was read to its end.
void ServeUpload(const HttpUploadHandler& handler, const httplib::Request& req,
                 const HttpRequest& request, const httplib::ContentReader& content_reader,
                 httplib::Response& res) {
  if (!req.is_multipart_form_data()) {
    ApplyAndClose(ErrorWithHttpStatus(
                      415, absl::InvalidArgumentError("an upload's body is multipart/form-data")),
                  res);
    return;
  }
  bool called = false;
  bool read_whole = false;
  const HttpFormReader read_form = [&](const std::function<bool(const HttpFormPart&)>& on_part,
                                       const std::function<bool(absl::string_view)>& on_data) {
    if (called) return false;
    called = true;
    read_whole = content_reader(
        [&](const httplib::MultipartFormData& part) {
          return on_part(HttpFormPart{
              .name = part.name, .file_name = part.filename, .content_type = part.content_type});
        },
        [&](const char* data, size_t size) { return on_data(absl::string_view(data, size)); });
    return read_whole;
  };
  HttpResponse response = handler(request, read_form);
  if (read_whole) {
    Apply(response, res);
  } else {
    ApplyAndClose(response, res);
  }
}

bool RefuseBeforeReading(const httplib::Request& req, uint64_t body_limit, httplib::Response& res) {
  if (HasContentEncoding(req)) {
    HttpResponse refusal = ErrorWithHttpStatus(
        415, absl::InvalidArgumentError("compressed request bodies (Content-Encoding) are not "
                                        "accepted; send the body uncompressed"));
    refusal.headers.emplace_back("Accept-Encoding", "identity");  // RFC 7694.
    ApplyAndClose(refusal, res);
    return true;
  }
  if (NeedsLengthRequired(req)) {
    ApplyAndClose(ErrorWithHttpStatus(411, absl::InvalidArgumentError(
                                               "a request body needs a Content-Length header")),
                  res);
    return true;
  }
  if (!req.has_header("Content-Length")) return false;
  uint64_t length = 0;
  if (!absl::SimpleAtoi(req.get_header_value("Content-Length"), &length)) {
    ApplyAndClose(ErrorWithHttpStatus(
                      400, absl::InvalidArgumentError("Content-Length is not a number of bytes")),
                  res);
    return true;
  }
  if (length > body_limit) {
    ApplyAndClose(
        ErrorWithHttpStatus(413, absl::InvalidArgumentError(absl::StrCat(
                                     "request body is too large (over ", body_limit, " bytes)"))),
        res);
    return true;
  }
  return false;
}

bool RefuseOverRate(CredentialRateLimiter& rate, const httplib::Request& req,
                    httplib::Response& res) {
  std::string credential = req.get_header_value("Authorization");
  if (credential.empty()) {
    credential = std::string(CookieValue(req.get_header_value("Cookie"), kSessionCookie));
  }
  if (credential.empty()) return false;
  const absl::Duration wait = rate.Take(credential, absl::Now());
  if (wait <= absl::ZeroDuration()) return false;
  const int64_t seconds = absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1)));
  HttpResponse refusal = ErrorResponse(absl::ResourceExhaustedError(
      absl::StrCat("too many requests with this credential; retry after ", seconds, " s")));
  refusal.headers.emplace_back("Retry-After", absl::StrCat(seconds));
  // A body that may follow is not read, so the connection must close after the answer.
  const bool body_follows =
      req.has_header("Transfer-Encoding") ||
      (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0");
  if (body_follows) {
    ApplyAndClose(refusal, res);
  } else {
    Apply(refusal, res);
  }
  return true;
}

}  // namespace postura::collector::http_wire
