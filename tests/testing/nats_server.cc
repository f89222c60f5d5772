#include "tests/testing/nats_server.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace postura::test {

absl::StatusOr<std::unique_ptr<NatsServer>> NatsServer::Start(const std::string& directory,
                                                              int port) {
  if (!std::filesystem::exists(kNatsServerBinary)) {
    return absl::NotFoundError(
        absl::StrCat(kNatsServerBinary, " is not installed (apt-get install nats-server)"));
  }
  const std::string log = directory + "/nats-server.log";
  absl::StatusOr<std::unique_ptr<ChildProcess>> process = StartAndWaitForLine(
      {kNatsServerBinary, "--jetstream", "--store_dir", directory + "/jetstream", "--addr",
       "127.0.0.1", "--port", port == 0 ? std::string("-1") : std::to_string(port)},
      log, "Server is ready", absl::Seconds(10));
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
  return std::unique_ptr<NatsServer>(
      new NatsServer(*std::move(process), absl::StrCat("nats://", address)));
}

void NatsServer::Kill() {
  process_->Signal(SIGKILL);
  process_->Wait();
}

}  // namespace postura::test
