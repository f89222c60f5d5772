#ifndef POSTURA_COLLECTOR_API_TIME_WIRE_H_
#define POSTURA_COLLECTOR_API_TIME_WIRE_H_

// Instants as the API's answers and errors show them: RFC 3339 text in UTC, and protobuf
// Timestamps. Used by the past and remediation queries.
//
// Threading: pure functions; any thread.

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace postura::collector {

// "2026-12-01T09:00:00Z", with fractional seconds when there are any.
std::string TimeText(absl::Time time);

google::protobuf::Timestamp Timestamp(absl::Time time);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_TIME_WIRE_H_
