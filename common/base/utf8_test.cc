#include "common/base/utf8.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace postura {
namespace {

TEST(Utf8Test, ValidTextComesBackUnchanged) {
  for (const std::string text : {"", "PermitRootLogin no", "café", "日本語", "\xF0\x9F\x94\x92"}) {
    EXPECT_TRUE(IsValidUtf8(text)) << text;
    EXPECT_EQ(ValidUtf8(text), text);
  }
}

TEST(Utf8Test, InvalidSequencesBecomeReplacementCharacters) {
  EXPECT_EQ(ValidUtf8("no\xE9"), "no\xEF\xBF\xBD");              // Latin-1 byte.
  EXPECT_EQ(ValidUtf8("\x80x"), "\xEF\xBF\xBDx");                // Stray continuation.
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // Overlong '/'.
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // Surrogate.
  EXPECT_EQ(ValidUtf8("\xF4\x90\x80\x80").find('\x90'), std::string::npos);      // > U+10FFFF.
  EXPECT_EQ(ValidUtf8("ab\xE6\x97"), "ab\xEF\xBF\xBD\xEF\xBF\xBD");              // Cut short.
  EXPECT_FALSE(IsValidUtf8("no\xE9"));
}

TEST(Utf8Test, TruncationNeverSplitsACharacter) {
  const std::string text = "a日本";  // 1 + 3 + 3 bytes.
  EXPECT_EQ(TruncateUtf8(text, 7), text);
  EXPECT_EQ(TruncateUtf8(text, 6), "a日");
  EXPECT_EQ(TruncateUtf8(text, 4), "a日");
  EXPECT_EQ(TruncateUtf8(text, 3), "a");
  EXPECT_EQ(TruncateUtf8(text, 0), "");
}

// Property: whatever the bytes, the result is valid UTF-8 and within the limit.
TEST(Utf8Test, AnyBytesGiveAValidPrefixWithinTheLimit) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 40);
  for (int round = 0; round < 20000; ++round) {
    std::string bytes(length(random), '\0');
    for (char& c : bytes) c = static_cast<char>(byte(random));
    const std::size_t limit = length(random);
    const std::string prefix = ValidUtf8Prefix(bytes, limit);
    ASSERT_TRUE(IsValidUtf8(prefix));
    ASSERT_LE(prefix.size(), limit);
    ASSERT_EQ(ValidUtf8(bytes).rfind(prefix, 0), 0u);
  }
}

}  // namespace
}  // namespace postura
