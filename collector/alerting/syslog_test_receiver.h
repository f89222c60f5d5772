#ifndef POSTURA_COLLECTOR_ALERTING_SYSLOG_TEST_RECEIVER_H_
#define POSTURA_COLLECTOR_ALERTING_SYSLOG_TEST_RECEIVER_H_

// Test-only: the far side of the syslog sink. ParseSyslogMessage decodes an RFC 5424
// message independently of the formatter, and the receivers listen on 127.0.0.1 for UDP
// datagrams or RFC 6587 octet-counted TCP frames, as a syslog daemon would. Linked only
// into alerting_tests (syslog_message_test.cc, syslog_sink_test.cc).
//
// Threading: a receiver's methods from one test thread; the TCP receiver accepts and
// reads on a thread of its own, joined by Stop or the destructor.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace postura::collector::test {

// The parts of one RFC 5424 message with a single SD-ELEMENT.
struct ParsedSyslog {
  int priority = -1;
  int version = -1;
  std::string timestamp;
  std::string hostname;
  std::string app_name;
  std::string proc_id;
  std::string msg_id;
  std::string sd_id;
  std::map<std::string, std::string> params;  // Unescaped values.
  bool has_bom = false;
  std::string msg;  // After the BOM.
};

// Decodes `message`, or InvalidArgument saying where it breaks the grammar.
absl::StatusOr<ParsedSyslog> ParseSyslogMessage(absl::string_view message);

// Receives datagrams on 127.0.0.1 (port chosen by the kernel).
class UdpSyslogReceiver {
 public:
  static absl::StatusOr<std::unique_ptr<UdpSyslogReceiver>> Start();
  ~UdpSyslogReceiver();
  uint16_t port() const { return port_; }
  // The next datagram, or DeadlineExceeded after `timeout`.
  absl::StatusOr<std::string> Receive(absl::Duration timeout);

 private:
  UdpSyslogReceiver(int fd, uint16_t port) : fd_(fd), port_(port) {}
  int fd_;
  uint16_t port_;
};

// A TCP port of 127.0.0.1 bound without listening: connecting to it is refused, and the
// kernel hands it to no other socket until the object is destroyed (then a receiver may
// Start on it). Stands for a receiver that is down.
class RefusingPort {
 public:
  static absl::StatusOr<std::unique_ptr<RefusingPort>> Reserve();
  ~RefusingPort();
  uint16_t port() const { return port_; }

 private:
  RefusingPort(int fd, uint16_t port) : fd_(fd), port_(port) {}
  int fd_;
  uint16_t port_;
};

// Accepts TCP connections on 127.0.0.1 and splits their octet-counted frames.
class TcpSyslogReceiver {
 public:
  // Listens on `port`, or on a port the kernel chooses when it is 0.
  static absl::StatusOr<std::unique_ptr<TcpSyslogReceiver>> Start(uint16_t port = 0);
  ~TcpSyslogReceiver();
  uint16_t port() const { return port_; }
  // Waits up to `timeout` until `count` messages arrived; returns those received so far.
  std::vector<std::string> WaitForMessages(size_t count, absl::Duration timeout);
  // Closes the listener and every connection; a frame broken by the framing is noted as
  // a message "<bad frame: ...>".
  void Stop();

 private:
  TcpSyslogReceiver(int listen_fd, const int wake_fds[2], uint16_t port);
  void Serve();
  void AppendFrames(std::string& buffer);

  int listen_fd_;
  int wake_fds_[2];  // A pipe: a byte written to [1] ends Serve.
  uint16_t port_;
  absl::Mutex mu_;
  std::vector<std::string> messages_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace postura::collector::test

#endif  // POSTURA_COLLECTOR_ALERTING_SYSLOG_TEST_RECEIVER_H_
