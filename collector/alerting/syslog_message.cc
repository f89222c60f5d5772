#include "collector/alerting/syslog_message.h"

#include <array>
#include <cstddef>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/utf8.h"

namespace postura::collector {
namespace {

// RFC 5424 (6) header field lengths.
constexpr size_t kMaxHostname = 255;
constexpr size_t kMaxAppName = 48;
constexpr size_t kMaxProcId = 128;
constexpr size_t kMaxMsgId = 32;

// RFC 5424 (6.4): a UTF-8 MSG starts with the byte order mark.
constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

constexpr std::array<absl::string_view, 24> kFacilityNames = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
    "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};

// A header field: the nil value when empty, otherwise printable ASCII (RFC 5424
// PRINTUSASCII, 33-126) of at most `max_length` characters.
std::string HeaderField(absl::string_view text, size_t max_length) {
  if (text.empty()) return "-";
  std::string field(text.substr(0, max_length));
  for (char& c : field) {
    if (c < 33 || c > 126) c = '_';
  }
  return field;
}

std::string SdParam(absl::string_view name, absl::string_view value) {
  return absl::StrCat(name, "=\"", EscapeSdParamValue(ValidUtf8(value)), "\"");
}

std::string StructuredData(const SyslogAlert& alert) {
  const std::string params[] = {
      SdParam("id", alert.alert_id), SdParam("rule", alert.rule),
      SdParam("kind", alert.kind),   SdParam("state", alert.firing ? "firing" : "resolved"),
      SdParam("asset", alert.asset), SdParam("outcome", alert.outcome),
      SdParam("agent", alert.agent), SdParam("idempotency_key", alert.idempotency_key),
  };
  return absl::StrCat("[", kSyslogAlertSdId, " ", absl::StrJoin(params, " "), "]");
}

}  // namespace

std::string EscapeSdParamValue(absl::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return escaped;
}

std::string FormatSyslogMessage(const SyslogHeader& header, const SyslogAlert& alert) {
  const int severity = alert.firing ? kSyslogSeverityWarning : kSyslogSeverityNotice;
  std::string message = absl::StrCat(
      "<", header.facility * 8 + severity, ">1 ",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", alert.time, absl::UTCTimeZone()), " ",
      HeaderField(header.hostname, kMaxHostname), " ", HeaderField(header.app_name, kMaxAppName),
      " ", HeaderField(header.proc_id, kMaxProcId), " ", HeaderField(alert.kind, kMaxMsgId), " ",
      StructuredData(alert));
  const std::string text = ValidUtf8(alert.text);
  const size_t text_overhead = message.size() + 1 + kUtf8Bom.size();
  if (text.empty() || text_overhead >= kSyslogMaxMessageBytes) return message;
  absl::StrAppend(&message, " ", kUtf8Bom,
                  TruncateUtf8(text, kSyslogMaxMessageBytes - text_overhead));
  return message;
}

std::string FrameOctetCounted(absl::string_view message) {
  return absl::StrCat(message.size(), " ", message);
}

absl::StatusOr<int> ParseSyslogFacility(absl::string_view text) {
  for (size_t code = 0; code < kFacilityNames.size(); ++code) {
    if (text == kFacilityNames[code]) return static_cast<int>(code);
  }
  int code = -1;
  if (absl::SimpleAtoi(text, &code) && code >= 0 &&
      code < static_cast<int>(kFacilityNames.size()) &&
      text.find_first_not_of("0123456789") == absl::string_view::npos) {
    return code;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not a syslog facility: give a number 0-23 or one of ",
                   absl::StrJoin(kFacilityNames, ", ")));
}

}  // namespace postura::collector
