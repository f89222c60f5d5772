#ifndef POSTURA_AGENT_DELIVERY_SPOOL_RECORD_H_
#define POSTURA_AGENT_DELIVERY_SPOOL_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "postura/v1/evidence.pb.h"
#include "postura/v1/ingest.pb.h"

namespace postura::agent {

// The spool's record format and the rules for cutting evidence into batches, apart from
// the spool's files and locking (agent/spool.h) so each can be read and tested alone.
// Pure functions; safe from any thread.
//
// A record: payload size (u32), CRC-32C of the payload (u32), little-endian; then the
// payload, a serialized v1::Batch.
inline constexpr std::size_t kRecordHeaderBytes = 8;

// What the collector accepts in a batch and an item (its Welcome says so:
// docs/ingest-protocol.md).
// The defaults are the collector's own defaults, so an agent that has not yet heard from
// its collector cuts batches the usual collector takes.
struct IngestLimits {
  uint32_t max_items = 1000;
  // Encoded bytes of a batch: the collector's max_message_bytes less room for the
  // message that carries it.
  uint64_t max_bytes = (4 << 20) - 1024;
  // Bytes of an item's detail; longer details are cut on a character boundary.
  uint32_t max_detail_bytes = 1024;

  // The limits a collector's Welcome announces; fields it leaves 0 keep the defaults.
  static IngestLimits FromWelcome(const v1::Welcome& welcome);
  bool operator==(const IngestLimits&) const = default;
};

// CRC-32C (Castagnoli) of `data`, as the spool's records carry it.
uint32_t Crc32c(std::string_view data);

// The record (header and payload) that stores `batch`.
std::string EncodeRecord(const v1::Batch& batch);

// Decodes a record's payload. A payload whose string fields are not valid UTF-8 (written
// before the agent made every string valid, which protobuf then refuses to parse) is
// repaired rather than lost: each invalid sequence becomes U+FFFD, and `*repaired` is set.
// std::nullopt when the bytes are not a batch at all.
std::optional<v1::Batch> DecodeBatch(std::string_view payload, bool* repaired = nullptr);

// What can be learned from a payload that does not decode: its sequence (0 if unknown) and
// how many items it held, for counting what is set aside.
struct DamagedBatchFacts {
  uint64_t sequence = 0;
  uint32_t items = 0;
};
DamagedBatchFacts InspectDamagedBatch(std::string_view payload);

// Replaces invalid UTF-8 in every string field of `item` (protobuf would serialize it but
// refuse to parse it back, blocking the spool). True if anything changed.
bool MakeStringsValidUtf8(v1::Evidence& item);

// Cuts `items` into consecutive groups that each fit `limits`, keeping their order. An
// item larger than max_bytes on its own gets a group of its own (the collector refuses
// it, and the uploader sets it aside; see Spool::SetAsideOldest).
std::vector<std::vector<v1::Evidence>> PackIntoBatches(std::vector<v1::Evidence> items,
                                                       const IngestLimits& limits);

// True when a batch of `items` items and `payload_bytes` encoded bytes exceeds `limits`.
bool ExceedsLimits(uint32_t items, uint64_t payload_bytes, const IngestLimits& limits);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_SPOOL_RECORD_H_
