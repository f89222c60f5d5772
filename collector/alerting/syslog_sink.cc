#include "collector/alerting/syslog_sink.h"

#include <unistd.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/config/yaml_config.h"

namespace postura::collector {
namespace {

constexpr size_t kMaxAppName = 48;
constexpr size_t kMaxHostname = 255;
constexpr size_t kMaxName = 64;  // As a rule's name (AlertRule.name).
constexpr absl::string_view kDefaultAppName = "postura";

absl::Status KeyError(absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", problem));
}

// RFC 5424 header fields are printable ASCII (33-126), no spaces.
bool IsPrintableAscii(absl::string_view text) {
  for (char c : text) {
    if (c < 33 || c > 126) return false;
  }
  return true;
}

absl::Status HeaderFieldError(absl::string_view key, absl::string_view value, size_t max_length) {
  if (value.size() > max_length) {
    return KeyError(key, absl::StrCat("longer than ", max_length, " characters"));
  }
  if (!IsPrintableAscii(value)) {
    return KeyError(
        key, absl::StrCat("'", value, "' must be printable ASCII without spaces (RFC 5424)"));
  }
  return absl::OkStatus();
}

std::string ThisHostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "";
  return name;
}

absl::Status TimeoutFromConfig(const std::string& text, absl::Duration& out) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<absl::Duration> timeout = ParseConfigDuration(text);
  if (!timeout.ok()) return KeyError("timeout", timeout.status().message());
  if (*timeout < absl::Milliseconds(100) || *timeout > absl::Minutes(1)) {
    return KeyError("timeout", absl::StrCat("'", text, "' is not between 100ms and 1m"));
  }
  out = *timeout;
  return absl::OkStatus();
}

absl::Status AddressFromConfig(const v1::SyslogSinkConfig& config, SyslogSinkOptions& options) {
  if (config.address().empty()) return KeyError("address", "required: the receiver's host:port");
  absl::StatusOr<SyslogAddress> address = ParseSyslogAddress(config.address());
  if (!address.ok()) return KeyError("address", address.status().message());
  options.address = *std::move(address);
  if (config.transport().empty()) return absl::OkStatus();
  absl::StatusOr<SyslogTransport> transport = ParseSyslogTransport(config.transport());
  if (!transport.ok()) return KeyError("transport", transport.status().message());
  options.transport = *transport;
  return absl::OkStatus();
}

absl::Status HeaderFromConfig(const v1::SyslogSinkConfig& config, SyslogHeader& header) {
  if (!config.facility().empty()) {
    absl::StatusOr<int> facility = ParseSyslogFacility(config.facility());
    if (!facility.ok()) return KeyError("facility", facility.status().message());
    header.facility = *facility;
  }
  header.app_name = config.app_name().empty() ? std::string(kDefaultAppName) : config.app_name();
  if (absl::Status s = HeaderFieldError("app_name", header.app_name, kMaxAppName); !s.ok()) {
    return s;
  }
  header.hostname = config.hostname().empty() ? ThisHostName() : config.hostname();
  if (!config.hostname().empty()) {
    if (absl::Status s = HeaderFieldError("hostname", header.hostname, kMaxHostname); !s.ok()) {
      return s;
    }
  }
  header.proc_id = std::to_string(getpid());
  return absl::OkStatus();
}

// The sink's name labels /metrics and keys its outbox queue: the rule names' alphabet.
absl::Status NameFromConfig(const v1::SyslogSinkConfig& config, int position, std::string& name) {
  name = config.name().empty() ? absl::StrCat("syslog-", position) : config.name();
  if (name.size() > kMaxName) return KeyError("name", "longer than 64 characters");
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return KeyError("name",
                      absl::StrCat("'", name, "' may hold only letters, digits, '-', '_' and '.'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SyslogSinkOptions> SyslogSinkOptionsFromConfig(const v1::SyslogSinkConfig& config,
                                                              int position) {
  SyslogSinkOptions options;
  for (absl::Status s :
       {NameFromConfig(config, position, options.name), AddressFromConfig(config, options),
        HeaderFromConfig(config, options.header),
        TimeoutFromConfig(config.timeout(), options.timeout)}) {
    if (!s.ok()) return s;
  }
  return options;
}

SyslogAlert SyslogAlertFromTransition(const v1::AlertTransition& transition) {
  SyslogAlert alert;
  alert.time = absl::FromUnixNanos(transition.at_unix_nanos());
  alert.firing = transition.state() != v1::AlertTransition::RESOLVED;
  alert.alert_id = transition.id();
  alert.rule = transition.rule();
  alert.kind = transition.kind();
  alert.asset = transition.asset_id();
  alert.outcome = transition.outcome_id();
  alert.agent = transition.agent_id();
  alert.idempotency_key = transition.idempotency_key();
  alert.text = transition.summary();
  return alert;
}

SyslogSink::SyslogSink(SyslogSinkOptions options)
    : options_(std::move(options)),
      socket_(options_.address, options_.transport, options_.timeout) {}

absl::Status SyslogSink::Deliver(const v1::AlertTransition& transition) {
  const std::string message =
      FormatSyslogMessage(options_.header, SyslogAlertFromTransition(transition));
  absl::MutexLock lock(&mu_);
  return socket_.Send(message);
}

}  // namespace postura::collector
