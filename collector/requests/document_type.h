#ifndef POSTURA_COLLECTOR_REQUESTS_DOCUMENT_TYPE_H_
#define POSTURA_COLLECTOR_REQUESTS_DOCUMENT_TYPE_H_

// What kind of file a document is, judged from its content, never from its name: the
// document store (document_store.h) sniffs each upload's first bytes and refuses anything
// but PDF, PNG, JPEG, GIF, ZIP-based office files (OOXML, OpenDocument), OLE office files
// and UTF-8 text. Text is checked as it streams in, chunk by chunk.
//
// Threading: pure functions; a TextChecker belongs to one upload (one thread at a time).

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace postura::collector {

// The most leading bytes SniffMediaType looks at; pass at least this many when the file
// has them.
inline constexpr size_t kSniffBytes = 64;

// The media type of a file starting with `head` ("application/pdf", "image/png",
// "image/jpeg", "image/gif", "application/vnd.openxmlformats-officedocument" or
// "application/vnd.oasis.opendocument" for ZIP-based office files,
// "application/x-ole-storage", or "text/plain; charset=utf-8" for anything without a
// binary signature, which must then pass TextChecker). InvalidArgument naming what the
// bytes look like for a ZIP that is not an office file and for executables.
absl::StatusOr<std::string> SniffMediaType(absl::string_view head);

// True for the type SniffMediaType gives text.
bool IsTextType(absl::string_view media_type);

// Checks that a stream of bytes is UTF-8 text: valid sequences, even across chunk
// boundaries, and no control characters but tab, newline, carriage return and form feed.
class TextChecker {
 public:
  // InvalidArgument at the first byte that is not text, with its offset.
  absl::Status Add(absl::string_view chunk);
  // InvalidArgument if the stream ended inside a multi-byte character.
  absl::Status Finish() const;

 private:
  uint64_t offset_ = 0;                             // Bytes checked so far.
  int continuation_ = 0;                            // Continuation bytes still expected.
  unsigned min_second_ = 0x80, max_second_ = 0xBF;  // Bounds of the next continuation byte.
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_DOCUMENT_TYPE_H_
