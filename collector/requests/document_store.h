#ifndef POSTURA_COLLECTOR_REQUESTS_DOCUMENT_STORE_H_
#define POSTURA_COLLECTOR_REQUESTS_DOCUMENT_STORE_H_

// Documents attached to answers of evidence requests, in the store's "documents" family:
// each upload streams into 256 KiB chunks as it arrives (the collector never holds a whole
// file), is hashed (SHA-256) and typed from its content (document_type.h) on the way, and
// becomes a document only when the request book commits it with its answer: a content
// already stored is kept once, and the upload's chunks go. Keys: "doc/<sha256 hex>" (a
// v1::StoredDocument) and "chunk/<upload id>/<index, 4 bytes big-endian>".
//
// Called by the request book (request_book.h). Threading: DocumentStore is thread-safe; an
// Upload belongs to one call (one thread at a time).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collector/requests/document_type.h"
#include "collector/store/evidence_store.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

inline constexpr size_t kDocumentChunkBytes = 256 << 10;

// A file received whole: where its chunks are and what it is. Not a document yet.
struct UploadedDocument {
  v1::DocumentRef ref;        // Hash, sniffed type, size, the uploaded name.
  v1::StoredDocument record;  // What "doc/<sha>" will hold if the content is new.
  std::vector<std::string> chunk_keys;
};

class DocumentStore;

// One file being received. Dropping an Upload that was not finished leaves chunks behind:
// call Abandon.
class DocumentUpload {
 public:
  // Takes the next bytes, writing each full chunk to the store. ResourceExhausted when
  // the file passes `max_bytes` (the message says whose cap), InvalidArgument when its
  // type is refused; Unavailable if the store failed.
  absl::Status Append(absl::string_view bytes);
  // The last chunk, the hash and the checks at the end. InvalidArgument for an empty
  // file or text cut inside a character.
  absl::StatusOr<UploadedDocument> Finish();
  // Deletes the chunks written so far.
  void Abandon();

 private:
  friend class DocumentStore;
  DocumentUpload(DocumentStore& documents, std::string upload_id, std::string file_name,
                 uint64_t max_bytes, std::string cap_name);
  absl::Status WriteChunk();

  DocumentStore& documents_;
  std::string upload_id_;
  std::string file_name_;
  uint64_t max_bytes_;
  std::string cap_name_;
  uint64_t size_ = 0;
  std::string buffer_;  // At most one chunk.
  std::string head_;    // The first kSniffBytes bytes.
  std::string media_type_;
  TextChecker text_;
  std::vector<std::string> chunk_keys_;
  std::shared_ptr<void> hash_;  // An EVP_MD_CTX (OpenSSL stays out of this header).
};

class DocumentStore {
 public:
  // `store` and `clock` are borrowed and must outlive this.
  DocumentStore(EvidenceStore& store, Clock& clock);

  // Starts receiving `file_name` (base name kept for display), refused past `max_bytes`
  // with a message naming `cap_name` ("the collector's per-file cap of 20971520 bytes").
  std::unique_ptr<DocumentUpload> StartUpload(absl::string_view file_name, uint64_t max_bytes,
                                              std::string cap_name);

  // The document with this hash; nullopt if none is stored. DataLoss if corrupt.
  absl::StatusOr<std::optional<v1::StoredDocument>> Find(absl::string_view sha256_hex) const;

  // The writes that make an upload a document if `already` is false (the record), or
  // drop its chunks if true (the content is stored already).
  static std::vector<EvidenceStore::WorkflowWrite> CommitWrites(const UploadedDocument& upload,
                                                                bool already);

  // Chunk `index` of `document`. DataLoss if it is missing.
  absl::StatusOr<std::string> ReadChunk(const v1::StoredDocument& document, uint32_t index) const;
  // Calls `visit` with each chunk of `document` in order until it returns false.
  // DataLoss if a chunk is missing.
  absl::Status Read(const v1::StoredDocument& document,
                    const std::function<bool(absl::string_view chunk)>& visit) const;

 private:
  friend class DocumentUpload;
  EvidenceStore& store_;
  Clock& clock_;
  std::atomic<uint64_t> next_upload_{0};
  const int64_t started_unix_nanos_;
};

// "doc/<sha>", "chunk/<upload>/<index>".
std::string DocumentKey(absl::string_view sha256_hex);
std::string ChunkKey(absl::string_view upload_id, uint32_t index);
// True for 64 lower-case hex characters.
bool IsSha256Hex(absl::string_view text);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_DOCUMENT_STORE_H_
