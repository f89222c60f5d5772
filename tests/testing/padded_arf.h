// A large ARF report for the OpenSCAP reader's memory test and benchmark: a real report
// padded with an extra report of bulky elements (as OVAL system characteristics are).
// Used by agent/checks/openscap/oscap_content_test.cc and bench/openscap_bench.cc.
// Thread-compatible.
#ifndef POSTURA_TESTS_TESTING_PADDED_ARF_H_
#define POSTURA_TESTS_TESTING_PADDED_ARF_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"

namespace postura::test {

// Writes `arf` (a whole ARF report) to `path`, padded to at least `bytes`, piece by piece.
// InvalidArgument when `arf` has no </arf:reports>; Internal when the file cannot be written.
absl::Status WritePaddedArf(const std::string& arf, const std::string& path, std::size_t bytes);

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_PADDED_ARF_H_
