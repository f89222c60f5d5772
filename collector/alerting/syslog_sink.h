#ifndef POSTURA_COLLECTOR_ALERTING_SYSLOG_SINK_H_
#define POSTURA_COLLECTOR_ALERTING_SYSLOG_SINK_H_

// The syslog sink: delivers each alert transition as one RFC 5424 message
// (syslog_message.h) over UDP or TCP (syslog_socket.h) to one configured receiver. The
// collector's config validation (collector/collector_config.cc) checks every
// `alerting.syslog` entry with SyslogSinkOptionsFromConfig; the composition root builds
// one sink per entry from the same function and hands it to the alert engine, whose
// delivery thread calls Deliver.
//
// Threading: Deliver from one thread at a time (AlertSink's contract; a mutex makes
// overlapping calls safe anyway); name() from any thread.

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/alerting/alert_sink.h"
#include "collector/alerting/syslog_message.h"
#include "collector/alerting/syslog_socket.h"
#include "postura/v1/alert.pb.h"
#include "postura/v1/collector_config.pb.h"

namespace postura::collector {

struct SyslogSinkOptions {
  std::string name;  // In /metrics and logs, e.g. "syslog-1".
  SyslogAddress address;
  SyslogTransport transport = SyslogTransport::kUdp;
  absl::Duration timeout = absl::Seconds(5);  // Connecting, then sending, each.
  SyslogHeader header;                        // Facility, HOSTNAME, APP-NAME, PROCID.
};

// The options of the `position`-th (from 1) `alerting.syslog` entry, defaults filled in:
// transport udp, facility local0, app_name "postura", hostname this machine's, timeout 5s,
// name "syslog-<position>". InvalidArgument naming the key (relative to the entry, e.g.
// "address: 'x' is not host:port") when a value is wrong.
absl::StatusOr<SyslogSinkOptions> SyslogSinkOptionsFromConfig(const v1::SyslogSinkConfig& config,
                                                              int position);

// The message the sink sends for `transition` (exposed for tests).
SyslogAlert SyslogAlertFromTransition(const v1::AlertTransition& transition);

class SyslogSink : public AlertSink {
 public:
  explicit SyslogSink(SyslogSinkOptions options);

  std::string name() const override { return options_.name; }
  // OK once the message is sent (UDP: handed to the kernel; TCP: written to a connection
  // the receiver had not closed). Unavailable when connecting or sending fails or times
  // out; the next call connects again.
  absl::Status Deliver(const v1::AlertTransition& transition) override;

 private:
  const SyslogSinkOptions options_;
  absl::Mutex mu_;
  SyslogSocket socket_ ABSL_GUARDED_BY(mu_);
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_SYSLOG_SINK_H_
