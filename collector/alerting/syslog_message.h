#ifndef POSTURA_COLLECTOR_ALERTING_SYSLOG_MESSAGE_H_
#define POSTURA_COLLECTOR_ALERTING_SYSLOG_MESSAGE_H_

// The words of the syslog sink: one alert transition as an RFC 5424 message, the RFC 6587
// octet-counting frame that carries it over TCP, and the facility names an operator may
// write in the config. The syslog sink (syslog_sink.h) formats with these; the config
// validation (collector/collector_config.cc) parses facilities with them.
//
// Threading: pure functions, safe from any thread.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::collector {

// The SD-ID of the structured data element that carries an alert's fields. 32473 is the
// private enterprise number RFC 5612 reserves for documentation; no number is registered
// for Postura.
inline constexpr absl::string_view kSyslogAlertSdId = "postura-alert@32473";

// RFC 5424 severities the sink uses.
inline constexpr int kSyslogSeverityWarning = 4;  // An alert fires.
inline constexpr int kSyslogSeverityNotice = 5;   // An alert resolves.

// local0, the facility unless the config names another.
inline constexpr int kSyslogDefaultFacility = 16;

// A message is kept within the 2048 octets RFC 5424 (6.1) asks every receiver to accept:
// the free text is shortened (on a character boundary) when the whole would be longer.
inline constexpr size_t kSyslogMaxMessageBytes = 2048;

// The header fields that stay the same for every message of one sink.
struct SyslogHeader {
  int facility = kSyslogDefaultFacility;  // 0-23.
  std::string hostname;                   // The nil value "-" when empty.
  std::string app_name;                   // At most 48 printable ASCII characters.
  std::string proc_id;                    // The nil value "-" when empty.
};

// One alert transition, as the message tells it.
struct SyslogAlert {
  absl::Time time;     // When the transition happened.
  bool firing = true;  // False: the alert resolved.
  std::string alert_id;
  std::string rule;
  std::string kind;  // Also the MSGID, which lets receivers filter by kind.
  std::string asset;
  std::string outcome;  // Empty for alerts about a whole asset.
  std::string agent;    // For alerts about an agent; empty otherwise.
  std::string idempotency_key;
  std::string text;  // Free text for people: the MSG part.
};

// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [postura-alert@32473 id=".." rule=".."
// kind=".." state="firing|resolved" asset=".." outcome=".." agent=".." idempotency_key=".."]
// BOM TEXT`.
// PRI is facility * 8 + severity (warning firing, notice resolved); TIMESTAMP is UTC with
// microseconds. Header fields are printable ASCII (any other byte becomes '_') within
// their RFC lengths; SD-PARAM values and the text are made valid UTF-8.
std::string FormatSyslogMessage(const SyslogHeader& header, const SyslogAlert& alert);

// `value` with '"', '\' and ']' escaped by a backslash, as an SD-PARAM value needs.
std::string EscapeSdParamValue(absl::string_view value);

// RFC 6587 octet counting: the message's length in decimal, a space, the message.
std::string FrameOctetCounted(absl::string_view message);

// A facility by name (kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron,
// authpriv, ftp, ntp, security, console, solaris-cron, local0 ... local7) or by number
// 0-23. InvalidArgument naming what was given and what is accepted.
absl::StatusOr<int> ParseSyslogFacility(absl::string_view text);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_SYSLOG_MESSAGE_H_
