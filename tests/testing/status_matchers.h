#ifndef POSTURA_TESTS_TESTING_STATUS_MATCHERS_H_
#define POSTURA_TESTS_TESTING_STATUS_MATCHERS_H_

#include <string>

#include "gmock/gmock.h"

namespace postura::test {

// Matches an absl::Status whose message matches `inner`, for example
//   EXPECT_THAT(status, HasMessage(HasSubstr("line 3")));
// (Debian's absl::string_view prints character by character in gtest; this prints text.)
MATCHER_P(HasMessage, inner,
          "has a message that " + ::testing::DescribeMatcher<std::string>(inner)) {
  return ::testing::ExplainMatchResult(inner, std::string(arg.message()), result_listener);
}

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_STATUS_MATCHERS_H_
