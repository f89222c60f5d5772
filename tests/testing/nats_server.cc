#include "tests/testing/nats_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace postura::test {

namespace {

// Starts nats-server with `argv`'s options after the binary, logging to `directory`, and
// waits until it says where it listens.
absl::StatusOr<std::pair<std::unique_ptr<ChildProcess>, std::string>> StartNats(
    const std::string& directory, std::vector<std::string> argv) {
  if (!std::filesystem::exists(kNatsServerBinary)) {
    return absl::NotFoundError(
        absl::StrCat(kNatsServerBinary, " is not installed (apt-get install nats-server)"));
  }
  argv.insert(argv.begin(), kNatsServerBinary);
  const std::string log = directory + "/nats-server.log";
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      StartAndWaitForLine(argv, log, "Server is ready", absl::Seconds(10));
  if (!process.ok()) return process.status();
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  static const std::regex kListening("Listening for client connections on ([0-9.]+:[0-9]+)");
  // The log is appended to: a server started again on the directory says it last.
  const std::string contents = text.str();
  std::string address;
  for (std::sregex_iterator it(contents.begin(), contents.end(), kListening), end; it != end;
       ++it) {
    address = (*it)[1].str();
  }
  if (address.empty()) {
    return absl::UnavailableError(absl::StrCat("nats-server did not say where it listens: ", log));
  }
  return std::make_pair(*std::move(process), absl::StrCat("nats://", address));
}

}  // namespace

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

absl::StatusOr<std::unique_ptr<NatsServer>> NatsServer::Start(const std::string& directory,
                                                              int port) {
  auto started = StartNats(
      directory, {"--jetstream", "--store_dir", directory + "/jetstream", "--addr", "127.0.0.1",
                  "--port", port == 0 ? std::string("-1") : std::to_string(port)});
  if (!started.ok()) return started.status();
  return std::unique_ptr<NatsServer>(
      new NatsServer(std::move(started->first), std::move(started->second)));
}

absl::StatusOr<std::unique_ptr<NatsServer>> NatsServer::StartClusterNode(
    const std::string& directory, const std::string& name, int port, int route_port,
    const std::vector<int>& route_ports) {
  std::string routes;
  for (int route : route_ports) {
    absl::StrAppend(&routes, routes.empty() ? "" : ",", "nats://127.0.0.1:", route);
  }
  auto started =
      StartNats(directory, {"--jetstream", "--store_dir", directory + "/jetstream", "--server_name",
                            name, "--addr", "127.0.0.1", "--port", std::to_string(port),
                            "--cluster_name", "postura-test", "--cluster",
                            absl::StrCat("nats://127.0.0.1:", route_port), "--routes", routes});
  if (!started.ok()) return started.status();
  return std::unique_ptr<NatsServer>(
      new NatsServer(std::move(started->first), std::move(started->second)));
}

void NatsServer::Kill() {
  process_->Signal(SIGKILL);
  process_->Wait();
}

}  // namespace postura::test
