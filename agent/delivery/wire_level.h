#ifndef POSTURA_AGENT_DELIVERY_WIRE_LEVEL_H_
#define POSTURA_AGENT_DELIVERY_WIRE_LEVEL_H_

#include <cstddef>

#include "common/model/level.h"
#include "postura/v1/evidence.pb.h"

namespace postura::agent {

// Bytes of an evidence item's detail the agent sends: the collector's default limit.
inline constexpr std::size_t kMaxEvidenceDetailBytes = 1024;

// The ingest protocol's value for a level.
inline v1::Level ToWireLevel(Level level) {
  switch (level) {
    case Level::kDli0:
      return v1::DLI_0;
    case Level::kDli33:
      return v1::DLI_33;
    case Level::kDli67:
      return v1::DLI_67;
    case Level::kDli100:
      return v1::DLI_100;
  }
  return v1::LEVEL_UNSPECIFIED;
}

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_WIRE_LEVEL_H_
