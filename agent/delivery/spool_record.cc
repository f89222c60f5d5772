#include "agent/delivery/spool_record.h"

#include <array>

#include "common/base/utf8.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/unknown_field_set.h"

namespace postura::agent {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::UnknownField;
using ::google::protobuf::UnknownFieldSet;

// Batch field numbers, as in proto/postura/v1/ingest.proto.
constexpr int kBatchSequenceField = 1;
constexpr int kBatchItemsField = 2;
// Bytes an item adds to a batch besides its own: the field tag and the length prefix.
constexpr uint64_t kItemFramingBytes = 1 + 5;
// The batch's own fields (sequence, dropped_items_total).
constexpr uint64_t kBatchFramingBytes = 2 * (1 + 10);

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    table[i] = crc;
  }
  return table;
}

void PutU32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

// Makes every string field of a serialized Evidence valid UTF-8, working on the wire
// form because the message itself does not parse.
std::string RepairEvidenceBytes(const std::string& bytes) {
  UnknownFieldSet fields;
  if (!fields.ParseFromString(bytes)) return bytes;
  const google::protobuf::Descriptor* descriptor = v1::Evidence::descriptor();
  for (int i = 0; i < fields.field_count(); ++i) {
    UnknownField* field = fields.mutable_field(i);
    const FieldDescriptor* known = descriptor->FindFieldByNumber(field->number());
    if (field->type() != UnknownField::TYPE_LENGTH_DELIMITED || known == nullptr ||
        known->type() != FieldDescriptor::TYPE_STRING) {
      continue;
    }
    if (!IsValidUtf8(field->length_delimited())) {
      *field->mutable_length_delimited() = ValidUtf8(field->length_delimited());
    }
  }
  std::string repaired;
  fields.SerializeToString(&repaired);
  return repaired;
}

}  // namespace

IngestLimits IngestLimits::FromWelcome(const v1::Welcome& welcome) {
  IngestLimits limits;
  if (welcome.max_batch_items() > 0) limits.max_items = welcome.max_batch_items();
  if (welcome.max_message_bytes() > 2048) limits.max_bytes = welcome.max_message_bytes() - 1024;
  if (welcome.max_detail_bytes() > 0) limits.max_detail_bytes = welcome.max_detail_bytes();
  return limits;
}

uint32_t Crc32c(std::string_view data) {
  static const std::array<uint32_t, 256> kTable = MakeCrcTable();
  uint32_t crc = 0xFFFFFFFFu;
  for (char c : data) crc = (crc >> 8) ^ kTable[(crc ^ static_cast<unsigned char>(c)) & 0xFFu];
  return ~crc;
}

std::string EncodeRecord(const v1::Batch& batch) {
  const std::string payload = batch.SerializeAsString();
  std::string record;
  record.reserve(kRecordHeaderBytes + payload.size());
  PutU32(record, static_cast<uint32_t>(payload.size()));
  PutU32(record, Crc32c(payload));
  record += payload;
  return record;
}

std::optional<v1::Batch> DecodeBatch(std::string_view payload, bool* repaired) {
  if (repaired != nullptr) *repaired = false;
  v1::Batch batch;
  if (batch.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return batch;
  // Rebuild the batch from its wire form, repairing each item's strings.
  UnknownFieldSet fields;
  if (!fields.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return std::nullopt;
  }
  batch.Clear();
  for (int i = 0; i < fields.field_count(); ++i) {
    UnknownField* field = fields.mutable_field(i);
    if (field->number() == kBatchItemsField &&
        field->type() == UnknownField::TYPE_LENGTH_DELIMITED) {
      *field->mutable_length_delimited() = RepairEvidenceBytes(field->length_delimited());
    }
  }
  std::string rebuilt;
  fields.SerializeToString(&rebuilt);
  if (!batch.ParseFromString(rebuilt)) return std::nullopt;
  if (repaired != nullptr) *repaired = true;
  return batch;
}

DamagedBatchFacts InspectDamagedBatch(std::string_view payload) {
  DamagedBatchFacts facts;
  UnknownFieldSet fields;
  if (!fields.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return facts;
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    if (field.number() == kBatchSequenceField && field.type() == UnknownField::TYPE_VARINT) {
      facts.sequence = field.varint();
    } else if (field.number() == kBatchItemsField) {
      ++facts.items;
    }
  }
  return facts;
}

bool MakeStringsValidUtf8(v1::Evidence& item) {
  bool changed = false;
  for (std::string* text : {item.mutable_asset_id(), item.mutable_outcome_id(),
                            item.mutable_check_id(), item.mutable_detail()}) {
    if (IsValidUtf8(*text)) continue;
    *text = ValidUtf8(*text);
    changed = true;
  }
  return changed;
}

std::vector<std::vector<v1::Evidence>> PackIntoBatches(std::vector<v1::Evidence> items,
                                                       const IngestLimits& limits) {
  std::vector<std::vector<v1::Evidence>> batches;
  uint64_t bytes = kBatchFramingBytes;
  for (v1::Evidence& item : items) {
    const uint64_t item_bytes = item.ByteSizeLong() + kItemFramingBytes;
    if (batches.empty() || batches.back().size() >= limits.max_items ||
        (!batches.back().empty() && bytes + item_bytes > limits.max_bytes)) {
      batches.emplace_back();
      bytes = kBatchFramingBytes;
    }
    batches.back().push_back(std::move(item));
    bytes += item_bytes;
  }
  return batches;
}

bool ExceedsLimits(uint32_t items, uint64_t payload_bytes, const IngestLimits& limits) {
  return items > limits.max_items || payload_bytes > limits.max_bytes;
}

}  // namespace postura::agent
