#include "collector/requests/document_store.h"

#include <openssl/evp.h>

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/base/utf8.h"

namespace postura::collector {
namespace {

using Family = EvidenceStore::WorkflowFamily;

EVP_MD_CTX* Context(const std::shared_ptr<void>& hash) {
  return static_cast<EVP_MD_CTX*>(hash.get());
}

std::string BigEndian32(uint32_t value) {
  std::string bytes(4, '\0');
  for (int i = 3; i >= 0; --i, value >>= 8) bytes[i] = static_cast<char>(value & 0xFF);
  return bytes;
}

// The name without directories, valid UTF-8, at most 255 bytes: for display only.
std::string BaseName(absl::string_view file_name) {
  const size_t slash = file_name.find_last_of("/\\");
  if (slash != absl::string_view::npos) file_name.remove_prefix(slash + 1);
  return ValidUtf8Prefix(file_name, 255);
}

}  // namespace

std::string DocumentKey(absl::string_view sha256_hex) { return absl::StrCat("doc/", sha256_hex); }

std::string ChunkKey(absl::string_view upload_id, uint32_t index) {
  return absl::StrCat("chunk/", upload_id, "/", BigEndian32(index));
}

bool IsSha256Hex(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

DocumentUpload::DocumentUpload(DocumentStore& documents, std::string upload_id,
                               std::string file_name, uint64_t max_bytes, std::string cap_name)
    : documents_(documents),
      upload_id_(std::move(upload_id)),
      file_name_(std::move(file_name)),
      max_bytes_(max_bytes),
      cap_name_(std::move(cap_name)),
      hash_(EVP_MD_CTX_new(),
            [](void* context) { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context)); }) {
  EVP_DigestInit_ex(Context(hash_), EVP_sha256(), nullptr);
}

absl::Status DocumentUpload::Append(absl::string_view bytes) {
  if (bytes.size() > max_bytes_ - size_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("document '", file_name_, "' is larger than ", cap_name_));
  }
  if (head_.size() < kSniffBytes) {
    head_.append(bytes.data(), std::min(bytes.size(), kSniffBytes - head_.size()));
    // Judged once the head is complete, or at Finish for a shorter file.
    if (head_.size() == kSniffBytes && media_type_.empty()) {
      absl::StatusOr<std::string> type = SniffMediaType(head_);
      if (!type.ok()) return type.status();
      media_type_ = *type;
      if (IsTextType(media_type_)) {
        if (absl::Status text = text_.Add(buffer_); !text.ok()) return text;
      }
    }
  }
  if (IsTextType(media_type_)) {
    if (absl::Status text = text_.Add(bytes); !text.ok()) return text;
  }
  size_ += bytes.size();
  EVP_DigestUpdate(Context(hash_), bytes.data(), bytes.size());
  while (!bytes.empty()) {
    const size_t take = std::min(bytes.size(), kDocumentChunkBytes - buffer_.size());
    buffer_.append(bytes.data(), take);
    bytes.remove_prefix(take);
    if (buffer_.size() == kDocumentChunkBytes) {
      if (absl::Status written = WriteChunk(); !written.ok()) return written;
    }
  }
  return absl::OkStatus();
}

absl::Status DocumentUpload::WriteChunk() {
  const std::string key = ChunkKey(upload_id_, static_cast<uint32_t>(chunk_keys_.size()));
  // Not synced: the answer's synced write, which makes this a document, syncs it too.
  absl::Status written = documents_.store_.WriteWorkflow(
      {{.family = Family::kDocuments, .key = key, .value = buffer_, .erase = false}},
      /*synced=*/false);
  if (!written.ok()) return written;
  chunk_keys_.push_back(key);
  buffer_.clear();
  return absl::OkStatus();
}

absl::StatusOr<UploadedDocument> DocumentUpload::Finish() {
  if (size_ == 0) {
    return absl::InvalidArgumentError(absl::StrCat("document '", file_name_, "' is empty"));
  }
  if (media_type_.empty()) {  // Shorter than the sniffing head.
    absl::StatusOr<std::string> type = SniffMediaType(head_);
    if (!type.ok()) return type.status();
    media_type_ = *type;
    if (IsTextType(media_type_)) {
      if (absl::Status text = text_.Add(head_); !text.ok()) return text;
    }
  }
  if (IsTextType(media_type_)) {
    if (absl::Status text = text_.Finish(); !text.ok()) return text;
  }
  if (!buffer_.empty()) {
    if (absl::Status written = WriteChunk(); !written.ok()) return written;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(Context(hash_), digest, &length);
  const std::string sha =
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
  UploadedDocument uploaded;
  uploaded.ref.set_sha256_hex(sha);
  uploaded.ref.set_file_name(file_name_);
  uploaded.ref.set_media_type(media_type_);
  uploaded.ref.set_size_bytes(size_);
  uploaded.record.set_sha256_hex(sha);
  uploaded.record.set_media_type(media_type_);
  uploaded.record.set_size_bytes(size_);
  uploaded.record.set_upload_id(upload_id_);
  uploaded.record.set_chunks(static_cast<uint32_t>(chunk_keys_.size()));
  uploaded.record.set_stored_unix_nanos(absl::ToUnixNanos(documents_.clock_.TimeNow()));
  uploaded.chunk_keys = chunk_keys_;
  return uploaded;
}

void DocumentUpload::Abandon() {
  std::vector<EvidenceStore::WorkflowWrite> erase;
  for (const std::string& key : chunk_keys_) {
    erase.push_back({.family = Family::kDocuments, .key = key, .value = "", .erase = true});
  }
  chunk_keys_.clear();
  // A failure leaves unreferenced chunks, which waste space but mislead nobody.
  if (!erase.empty()) documents_.store_.WriteWorkflow(erase).IgnoreError();
}

DocumentStore::DocumentStore(EvidenceStore& store, Clock& clock)
    : store_(store), clock_(clock), started_unix_nanos_(absl::ToUnixNanos(clock.TimeNow())) {}

std::unique_ptr<DocumentUpload> DocumentStore::StartUpload(absl::string_view file_name,
                                                           uint64_t max_bytes,
                                                           std::string cap_name) {
  // Unique across restarts: the start time, then a counter.
  const std::string upload_id = absl::StrCat(started_unix_nanos_, "-", next_upload_++);
  return std::unique_ptr<DocumentUpload>(
      new DocumentUpload(*this, upload_id, BaseName(file_name), max_bytes, std::move(cap_name)));
}

absl::StatusOr<std::optional<v1::StoredDocument>> DocumentStore::Find(
    absl::string_view sha256_hex) const {
  absl::StatusOr<std::optional<std::string>> value =
      store_.ReadWorkflow(Family::kDocuments, DocumentKey(sha256_hex));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  v1::StoredDocument document;
  if (!document.ParseFromString(**value)) {
    return absl::DataLossError(absl::StrCat("document record ", sha256_hex, " is corrupt"));
  }
  return document;
}

std::vector<EvidenceStore::WorkflowWrite> DocumentStore::CommitWrites(
    const UploadedDocument& upload, bool already) {
  std::vector<EvidenceStore::WorkflowWrite> writes;
  if (!already) {
    writes.push_back({.family = Family::kDocuments,
                      .key = DocumentKey(upload.ref.sha256_hex()),
                      .value = upload.record.SerializeAsString(),
                      .erase = false});
    return writes;
  }
  for (const std::string& key : upload.chunk_keys) {
    writes.push_back({.family = Family::kDocuments, .key = key, .value = "", .erase = true});
  }
  return writes;
}

absl::StatusOr<std::string> DocumentStore::ReadChunk(const v1::StoredDocument& document,
                                                     uint32_t index) const {
  absl::StatusOr<std::optional<std::string>> chunk =
      store_.ReadWorkflow(Family::kDocuments, ChunkKey(document.upload_id(), index));
  if (!chunk.ok()) return chunk.status();
  if (!chunk->has_value()) {
    return absl::DataLossError(
        absl::StrCat("document ", document.sha256_hex(), " lacks its chunk ", index));
  }
  return **std::move(chunk);
}

absl::Status DocumentStore::Read(const v1::StoredDocument& document,
                                 const std::function<bool(absl::string_view)>& visit) const {
  for (uint32_t i = 0; i < document.chunks(); ++i) {
    absl::StatusOr<std::string> chunk = ReadChunk(document, i);
    if (!chunk.ok()) return chunk.status();
    if (!visit(*chunk)) break;
  }
  return absl::OkStatus();
}

}  // namespace postura::collector
