#include "tests/testing/collector_process.h"

#include <csignal>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace postura::test {
namespace {

std::string Tail(const std::string& path) {
  std::ifstream file(path);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CollectorProcess>> CollectorProcess::Start(
    const std::string& binary, const std::string& dir, const std::string& listen_address,
    const std::string& extra_yaml, const std::string& local_ca_dir) {
  auto collector = std::make_unique<CollectorProcess>();
  collector->data_dir_ = dir + "/data";
  collector->local_ca_dir_ = local_ca_dir.empty() ? collector->data_dir_ + "/tls" : local_ca_dir;
  const std::string config = dir + "/collector.yaml";
  const std::string ready = dir + "/ready";
  const std::string log = dir + "/collector.log";
  {
    std::ofstream out(config);
    out << "listen_address: " << listen_address << "\ndata_dir: " << collector->data_dir_ << "\n"
        << extra_yaml;
    if (extra_yaml.find("http_listen_address") == std::string::npos) {
      out << "\nhttp_listen_address: 127.0.0.1:0\n";
    }
  }
  std::filesystem::remove(ready);
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Start({binary, "--config", config, "--ready-file", ready}, log);
  if (!process.ok()) return process.status();
  collector->process_ = *std::move(process);
  absl::StatusOr<std::string> address = WaitForFile(ready, absl::Seconds(30));
  if (!address.ok()) {
    return absl::UnavailableError(
        absl::StrCat("collector did not start: ", address.status().message(), "\n", Tail(log)));
  }
  // The gRPC address, then the HTTP address on a second line.
  std::vector<std::string> lines =
      absl::StrSplit(absl::StripAsciiWhitespace(*address), '\n', absl::SkipWhitespace());
  collector->address_ = lines.empty() ? "" : std::string(absl::StripAsciiWhitespace(lines[0]));
  if (lines.size() > 1) {
    collector->http_address_ = std::string(absl::StripAsciiWhitespace(lines[1]));
  }
  absl::StatusOr<CollectorTrust> admin =
      LoadCollectorTrust(collector->ca_file(), collector->admin_token_file());
  if (!admin.ok()) return admin.status();
  collector->admin_ = *std::move(admin);
  return collector;
}

void CollectorProcess::Kill() {
  process_->Signal(SIGKILL);
  process_->Wait();
}

int CollectorProcess::Stop() {
  process_->Signal(SIGTERM);
  return process_->Wait();
}

}  // namespace postura::test
