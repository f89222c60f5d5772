#ifndef POSTURA_TESTS_TESTING_TCP_RELAY_H_
#define POSTURA_TESTS_TESTING_TCP_RELAY_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace postura::test {

// A TCP relay on loopback that a test can cut, to partition one process from another
// without touching the machine's network: clients connect to the relay's port, and it
// copies bytes both ways to `target_port` on 127.0.0.1.
//
// Cut() closes every relayed connection and, until Heal(), closes each new one as soon as
// it is accepted (the client sees its peer go away, as across a broken link). Stopped,
// with its connections closed, on destruction.
class TcpRelay {
 public:
  // Listens on a free loopback port.
  static absl::StatusOr<std::unique_ptr<TcpRelay>> Start(int target_port);
  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  int port() const { return port_; }

  void Cut();
  void Heal();

  // Connections relayed so far, and those Cut() closed or refused.
  int connections_relayed() const { return relayed_.load(); }
  int connections_cut() const { return cut_connections_.load(); }

 private:
  TcpRelay(int listener, int port, int target_port);
  void AcceptLoop();
  void Relay(int client, int upstream);
  // Shuts both sockets of every relayed connection down; their threads then end.
  void ShutDownRelayed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int listener_;
  const int port_;
  const int target_port_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> relayed_{0};
  std::atomic<int> cut_connections_{0};
  absl::Mutex mu_;
  bool cut_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<int> open_sockets_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> relays_ ABSL_GUARDED_BY(mu_);
  std::thread acceptor_;
};

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_TCP_RELAY_H_
