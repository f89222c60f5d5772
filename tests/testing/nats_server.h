#ifndef POSTURA_TESTS_TESTING_NATS_SERVER_H_
#define POSTURA_TESTS_TESTING_NATS_SERVER_H_

// A real nats-server process with JetStream, for tests: listening on 127.0.0.1 at a port
// it picks, storing in a directory of the test's. Debian's nats-server package installs
// the binary (deploy/install-deps.sh); without it, Start says so and tests skip.
//
// Not thread-safe; the directory must outlive the server.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/testing/subprocess.h"

namespace postura::test {

// Where Debian puts nats-server.
inline constexpr char kNatsServerBinary[] = "/usr/sbin/nats-server";

// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick); 0 if none.
int FreeLoopbackPort();

class NatsServer {
 public:
  // Starts nats-server with JetStream in `directory` (its store and log) and waits until
  // it listens, on `port` (0: one it picks; a server started again on its directory
  // after Kill takes the port it had, so that clients reconnect). NotFound if the binary
  // is not installed; Unavailable if it exits or does not say where it listens within
  // 10 s.
  static absl::StatusOr<std::unique_ptr<NatsServer>> Start(const std::string& directory,
                                                           int port = 0);

  // Starts node `name` of a JetStream cluster in `directory`: clients on `port`, routes
  // on `route_port`, routed to every port of `route_ports` (its own may be among them).
  // Ports are fixed so that a node started again after Kill is found where it was.
  static absl::StatusOr<std::unique_ptr<NatsServer>> StartClusterNode(
      const std::string& directory, const std::string& name, int port, int route_port,
      const std::vector<int>& route_ports);

  // "nats://127.0.0.1:<port>".
  const std::string& url() const { return url_; }
  // Kills it with SIGKILL, as a crash would, and waits for it to end.
  void Kill();

 private:
  NatsServer(std::unique_ptr<ChildProcess> process, std::string url)
      : process_(std::move(process)), url_(std::move(url)) {}
  std::unique_ptr<ChildProcess> process_;
  std::string url_;
};

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_NATS_SERVER_H_
