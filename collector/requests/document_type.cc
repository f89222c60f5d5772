#include "collector/requests/document_type.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace postura::collector {
namespace {

constexpr absl::string_view kText = "text/plain; charset=utf-8";
constexpr absl::string_view kZipMagic("PK\x03\x04", 4);
constexpr absl::string_view kOleMagic("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
constexpr absl::string_view kPngMagic("\x89PNG\r\n\x1A\n", 8);

// The name of a ZIP's first entry (local file header: name length at 26, name at 30).
absl::string_view FirstZipEntry(absl::string_view head) {
  if (head.size() < 30) return {};
  const size_t length = static_cast<unsigned char>(head[26]) |
                        static_cast<size_t>(static_cast<unsigned char>(head[27])) << 8;
  return head.substr(30, length);
}

absl::StatusOr<std::string> ZipOfficeType(absl::string_view head) {
  const absl::string_view entry = FirstZipEntry(head);
  // OOXML writers put [Content_Types].xml first, OpenDocument its "mimetype" entry
  // (the standard requires it first, uncompressed).
  if (entry == "[Content_Types].xml" || absl::StartsWith(entry, "_rels/") ||
      absl::StartsWith(entry, "docProps/")) {
    return std::string("application/vnd.openxmlformats-officedocument");
  }
  if (entry == "mimetype") return std::string("application/vnd.oasis.opendocument");
  return absl::InvalidArgumentError(
      "document is a ZIP archive but not an office file (OOXML or OpenDocument); only "
      "PDF, PNG, JPEG, GIF, office files and UTF-8 text are taken");
}

bool IsTextControl(unsigned char byte) {
  return (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r' && byte != '\f') ||
         byte == 0x7F;
}

}  // namespace

absl::StatusOr<std::string> SniffMediaType(absl::string_view head) {
  if (absl::StartsWith(head, "%PDF-")) return std::string("application/pdf");
  if (absl::StartsWith(head, kPngMagic)) return std::string("image/png");
  if (absl::StartsWith(head, "\xFF\xD8\xFF")) return std::string("image/jpeg");
  if (absl::StartsWith(head, "GIF87a") || absl::StartsWith(head, "GIF89a")) {
    return std::string("image/gif");
  }
  if (absl::StartsWith(head, kZipMagic)) return ZipOfficeType(head);
  if (absl::StartsWith(head, kOleMagic)) return std::string("application/x-ole-storage");
  if (absl::StartsWith(head,
                       "\x7F"
                       "ELF") ||
      absl::StartsWith(head, "MZ")) {
    return absl::InvalidArgumentError(
        "document is an executable; only PDF, PNG, JPEG, GIF, office files and UTF-8 text "
        "are taken");
  }
  return std::string(kText);
}

bool IsTextType(absl::string_view media_type) { return media_type == kText; }

absl::Status TextChecker::Add(absl::string_view chunk) {
  for (size_t i = 0; i < chunk.size(); ++i, ++offset_) {
    const unsigned char byte = static_cast<unsigned char>(chunk[i]);
    bool valid = true;
    if (continuation_ > 0) {
      valid = byte >= min_second_ && byte <= max_second_;
      min_second_ = 0x80;
      max_second_ = 0xBF;
      --continuation_;
    } else if (byte < 0x80) {
      valid = !IsTextControl(byte);
    } else if (byte >= 0xC2 && byte <= 0xDF) {
      continuation_ = 1;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      continuation_ = 2;
      // No overlong forms (E0 A0..), no surrogates (ED ..9F).
      if (byte == 0xE0) min_second_ = 0xA0;
      if (byte == 0xED) max_second_ = 0x9F;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      continuation_ = 3;
      if (byte == 0xF0) min_second_ = 0x90;
      if (byte == 0xF4) max_second_ = 0x8F;
    } else {
      valid = false;
    }
    if (!valid) {
      return absl::InvalidArgumentError(absl::StrCat(
          "document is neither a known file type (PDF, PNG, JPEG, GIF, office) nor UTF-8 text: "
          "byte ",
          offset_, " is binary"));
    }
  }
  return absl::OkStatus();
}

absl::Status TextChecker::Finish() const {
  if (continuation_ == 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "document is not UTF-8 text: it ends inside a multi-byte character");
}

}  // namespace postura::collector
