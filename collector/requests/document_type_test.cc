#include "collector/requests/document_type.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;

std::string ZipWithFirstEntry(const std::string& name) {
  std::string zip("PK\x03\x04", 4);
  zip.append(22, '\0');
  zip.push_back(static_cast<char>(name.size()));
  zip.push_back('\0');
  zip.append(2, '\0');
  return zip + name + std::string(16, 'x');
}

TEST(DocumentTypeTest, SniffsEachTakenTypeFromItsSignature) {
  EXPECT_EQ(*SniffMediaType("%PDF-1.7\n..."), "application/pdf");
  EXPECT_EQ(*SniffMediaType(std::string("\x89PNG\r\n\x1A\n\0\0", 10)), "image/png");
  EXPECT_EQ(*SniffMediaType("\xFF\xD8\xFF\xE0 JFIF"), "image/jpeg");
  EXPECT_EQ(*SniffMediaType("GIF89a...."), "image/gif");
  EXPECT_EQ(*SniffMediaType(ZipWithFirstEntry("[Content_Types].xml")),
            "application/vnd.openxmlformats-officedocument");
  EXPECT_EQ(*SniffMediaType(ZipWithFirstEntry("mimetype")), "application/vnd.oasis.opendocument");
  EXPECT_EQ(*SniffMediaType("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 rest"), "application/x-ole-storage");
  EXPECT_TRUE(IsTextType(*SniffMediaType("Backups are tested quarterly.\n")));
}

TEST(DocumentTypeTest, RefusesPlainZipsAndExecutables) {
  absl::StatusOr<std::string> zip = SniffMediaType(ZipWithFirstEntry("payload.exe"));
  EXPECT_EQ(zip.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(zip.status().message(), HasSubstr("not an office file"));
  EXPECT_THAT(SniffMediaType("\x7F"
                             "ELF\x02\x01")
                  .status()
                  .message(),
              HasSubstr("executable"));
  EXPECT_THAT(SniffMediaType("MZ\x90\x00").status().message(), HasSubstr("executable"));
}

TEST(DocumentTypeTest, TextCheckerTakesUtf8AcrossChunksAndRefusesBinary) {
  TextChecker text;
  const std::string euro = "\xE2\x82\xAC";  // Split across two chunks below.
  EXPECT_TRUE(text.Add("Price: " + euro.substr(0, 1)).ok());
  EXPECT_TRUE(text.Add(euro.substr(1) + "\tok\r\n").ok());
  EXPECT_TRUE(text.Finish().ok());

  TextChecker binary;
  absl::Status nul = binary.Add(std::string("ab\0cd", 5));
  EXPECT_EQ(nul.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(nul.message(), HasSubstr("byte 2"));

  TextChecker overlong;
  EXPECT_FALSE(overlong.Add("\xC0\xAF").ok());
  TextChecker surrogate;
  EXPECT_FALSE(surrogate.Add("\xED\xA0\x80").ok());
  TextChecker cut;
  EXPECT_TRUE(cut.Add("abc\xE2\x82").ok());
  EXPECT_THAT(cut.Finish().message(), HasSubstr("inside a multi-byte character"));
}

}  // namespace
}  // namespace postura::collector
