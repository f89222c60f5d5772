#ifndef POSTURA_COLLECTOR_API_EVENT_STREAM_H_
#define POSTURA_COLLECTOR_API_EVENT_STREAM_H_

// Server-Sent Events for the HTTP server (http_server.h): the events, the sources they are
// pulled from, their text/event-stream encoding, and one open stream as the server's
// worker thread pumps it. The API's event routes (http_api.cc) implement SseSource;
// HttpServer owns the streams. Threading: see each class.

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace httplib {
class DataSink;
}  // namespace httplib

namespace postura::collector {

// One Server-Sent Event. Empty `event` and `id` are left out, so the client sees a
// "message" event and keeps its last event id.
struct SseEvent {
  std::string event{};
  std::string data{};
  std::string id{};
};

// The events of one open stream, pulled by the server's worker thread. Only that thread
// calls it, so it needs no locking of its own against the server.
class SseSource {
 public:
  virtual ~SseSource() = default;
  // Waits up to about `timeout` for the next event and returns it, or std::nullopt if
  // none came in time. Must return within `timeout` plus a few milliseconds: the server
  // checks for shutdown and departed clients between calls.
  virtual std::optional<SseEvent> Next(absl::Duration timeout) = 0;
  // True once the source has nothing more to send; the server then ends the stream.
  // Checked before each call to Next.
  virtual bool Done() const { return false; }
};

// Writes events in the text/event-stream format to a byte sink. Not thread-safe.
class SseSink {
 public:
  // `write` sends bytes to the client and returns false once it cannot (the client left).
  explicit SseSink(std::function<bool(absl::string_view)> write) : write_(std::move(write)) {}
  // Sends one event: an "event:" line if `event` is non-empty, an "id:" line if the id
  // is, one "data:" line per line of `data` (split at "\n", "\r\n" or "\r"), and a blank
  // line. Line breaks in the name and id are dropped. Returns false once the client has
  // gone, after which nothing more is sent.
  bool Send(const SseEvent& event);
  bool Send(absl::string_view event, absl::string_view data);
  // Sends ": text", which clients ignore; used as a keepalive.
  bool Comment(absl::string_view text);

 private:
  bool Write(absl::string_view bytes);

  std::function<bool(absl::string_view)> write_;
  bool open_ = true;
};

// One open event stream: pulls events from its source and writes them to the client,
// with a keepalive comment when it has been quiet for `keepalive_interval`. Called only
// on the stream's worker thread. A source that throws ends the stream, not the process.
class SseStream {
 public:
  SseStream(std::unique_ptr<SseSource> source, absl::Duration keepalive_interval,
            const std::atomic<bool>& stopping);

  // httplib calls this again and again until it returns false (the stream is abandoned)
  // or calls sink.done() (the stream ends cleanly: the source is done, or `stopping`).
  // Each call waits at most a quarter of a second, so that httplib's own shutdown check
  // runs often.
  bool Pump(httplib::DataSink& data_sink);

 private:
  bool SourceDone();
  // Internal if the source threw.
  absl::StatusOr<std::optional<SseEvent>> NextEvent(absl::Duration timeout);

  std::unique_ptr<SseSource> source_;
  const absl::Duration keepalive_interval_;
  const std::atomic<bool>& stopping_;
  httplib::DataSink* data_sink_ = nullptr;  // The current Pump's.
  SseSink sink_;
  absl::Time last_write_ = absl::Now();
};

// What escaped a handler or a source, for the log: the exception's what(), or a phrase.
std::string DescribeException(std::exception_ptr exception);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_EVENT_STREAM_H_
