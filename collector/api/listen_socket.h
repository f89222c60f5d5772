#ifndef POSTURA_COLLECTOR_API_LISTEN_SOCKET_H_
#define POSTURA_COLLECTOR_API_LISTEN_SOCKET_H_

// Listening sockets made by the collector itself, for the listeners that accept their own
// connections: the HTTPS listener (http_listener.h) and the gRPC listener
// (grpc_listener.h). Plain functions over file descriptors; any thread.

#include <sys/socket.h>

#include <string>

namespace postura::collector {

// An address in text: "192.0.2.1" or "2001:db8::1" (IPv4-mapped IPv6 shown as IPv4).
struct Peer {
  std::string ip;
  int port = 0;
};

Peer PeerOf(const sockaddr_storage& address);

// A non-blocking listening socket on host:port (port 0 picks one; a host in brackets,
// "[::]", is taken without them); -1 with `error` set if it cannot be made.
int ListenOn(const std::string& host, int port, std::string& error);

// The port `fd` is bound to; -1 if it cannot be read.
int BoundPort(int fd);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_LISTEN_SOCKET_H_
