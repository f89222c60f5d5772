#include "collector/api/event_stream.h"

#include <httplib.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

// How often an idle event stream looks for shutdown; bounds how long Shutdown waits.
constexpr absl::Duration kStreamPollInterval = absl::Milliseconds(250);

}  // namespace

bool SseSink::Write(absl::string_view bytes) {
  open_ = open_ && write_(bytes);
  return open_;
}

bool SseSink::Send(absl::string_view event, absl::string_view data) {
  return Send(SseEvent{.event = std::string(event), .data = std::string(data)});
}

bool SseSink::Send(const SseEvent& event) {
  // A line break in a field name or id would end the field early and corrupt the stream.
  const auto one_line = [](absl::string_view field) {
    return absl::StrReplaceAll(field, {{"\r", ""}, {"\n", ""}});
  };
  std::string frame;
  if (!event.event.empty()) absl::StrAppend(&frame, "event: ", one_line(event.event), "\n");
  if (!event.id.empty()) absl::StrAppend(&frame, "id: ", one_line(event.id), "\n");
  const std::string data = absl::StrReplaceAll(event.data, {{"\r\n", "\n"}});
  for (absl::string_view line : absl::StrSplit(data, absl::ByAnyChar("\r\n"))) {
    absl::StrAppend(&frame, "data: ", line, "\n");
  }
  frame.push_back('\n');
  return Write(frame);
}

bool SseSink::Comment(absl::string_view text) {
  return Write(absl::StrCat(": ", absl::StrReplaceAll(text, {{"\r", " "}, {"\n", " "}}), "\n\n"));
}

SseStream::SseStream(std::unique_ptr<SseSource> source, absl::Duration keepalive_interval,
                     const std::atomic<bool>& stopping)
    : source_(std::move(source)),
      keepalive_interval_(keepalive_interval),
      stopping_(stopping),
      sink_([this](absl::string_view bytes) {
        return data_sink_->write(bytes.data(), bytes.size());
      }) {}

bool SseStream::Pump(httplib::DataSink& data_sink) {
  data_sink_ = &data_sink;
  if (stopping_.load() || SourceDone()) {
    data_sink.done();
    return true;
  }
  const absl::Duration until_keepalive = last_write_ + keepalive_interval_ - absl::Now();
  if (until_keepalive <= absl::ZeroDuration()) {
    last_write_ = absl::Now();
    return sink_.Comment("keepalive");
  }
  absl::StatusOr<std::optional<SseEvent>> event =
      NextEvent(std::min(until_keepalive, kStreamPollInterval));
  if (!event.ok()) return false;
  if (!event->has_value()) return true;
  last_write_ = absl::Now();
  return sink_.Send(**event);
}

bool SseStream::SourceDone() {
  try {
    return source_->Done();
  } catch (...) {
    LOG(ERROR) << "event source threw from Done: " << DescribeException(std::current_exception());
    return true;
  }
}

absl::StatusOr<std::optional<SseEvent>> SseStream::NextEvent(absl::Duration timeout) {
  try {
    return source_->Next(timeout);
  } catch (...) {
    LOG(ERROR) << "event source threw from Next: " << DescribeException(std::current_exception());
    return absl::InternalError("event source threw");
  }
}

std::string DescribeException(std::exception_ptr exception) {
  // Handlers are not meant to throw; this names what escaped one for the log.
  try {
    std::rethrow_exception(exception);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception not derived from std::exception";
  }
}

}  // namespace postura::collector
