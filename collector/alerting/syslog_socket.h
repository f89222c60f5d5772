#ifndef POSTURA_COLLECTOR_ALERTING_SYSLOG_SOCKET_H_
#define POSTURA_COLLECTOR_ALERTING_SYSLOG_SOCKET_H_

// The syslog sink's connection to one receiver: a connected UDP socket that sends each
// message as one datagram, or a TCP connection that sends it in an RFC 6587 octet-counted
// frame. Connecting and sending are bounded by a timeout; after any failure the socket is
// closed and the next Send connects again. Owned by one SyslogSink (syslog_sink.h).
//
// Threading: not thread-safe; the sink calls it from one thread at a time.

#include <netdb.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::collector {

enum class SyslogTransport { kUdp, kTcp };

// "udp" or "tcp"; InvalidArgument otherwise.
absl::StatusOr<SyslogTransport> ParseSyslogTransport(absl::string_view text);

struct SyslogAddress {
  std::string host;  // A name or an address; an IPv6 address without its brackets.
  uint16_t port = 0;
};

// "host:port" or "[ipv6]:port", port 1-65535. InvalidArgument saying what is wrong.
absl::StatusOr<SyslogAddress> ParseSyslogAddress(absl::string_view text);

class SyslogSocket {
 public:
  SyslogSocket(SyslogAddress address, SyslogTransport transport, absl::Duration timeout);
  ~SyslogSocket();
  SyslogSocket(const SyslogSocket&) = delete;
  SyslogSocket& operator=(const SyslogSocket&) = delete;

  // Sends one message, connecting first if there is no connection (or the TCP receiver
  // closed it). OK once the kernel took the whole message: for TCP, once the receiver's
  // side has not been seen closed; for UDP, nothing more can be known. Unavailable when
  // the name does not resolve, the connection is refused or times out, or the send fails
  // or times out; the message is then not (completely) sent and the socket is closed.
  absl::Status Send(absl::string_view message);

 private:
  absl::Status Connect();
  absl::Status ConnectTo(const addrinfo& candidate, absl::Time deadline);
  absl::Status SendAll(absl::string_view bytes, absl::Time deadline);
  // True when the TCP receiver closed its side (or reset it) since the last send.
  bool PeerClosed();
  void Close();
  std::string Describe() const;

  const SyslogAddress address_;
  const SyslogTransport transport_;
  const absl::Duration timeout_;
  int fd_ = -1;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_SYSLOG_SOCKET_H_
