#ifndef POSTURA_TESTS_TESTING_GZIP_BOMB_H_
#define POSTURA_TESTS_TESTING_GZIP_BOMB_H_

#include <httplib.h>

#include <string>

namespace postura::test {

// `inflated_mib` MiB of zero bytes, gzip-compressed (about 1 KB per MiB), made a MiB at a
// time so that the zeros are never all in memory: a request body that inflates far beyond
// its size, for tests of the HTTPS limits. Test-only; any thread.
inline std::string GzipOfZeros(int inflated_mib) {
  std::string out;
  httplib::detail::gzip_compressor gzip;
  const std::string zeros(1 << 20, '\0');
  for (int i = 0; i < inflated_mib; ++i) {
    gzip.compress(zeros.data(), zeros.size(), i + 1 == inflated_mib,
                  [&out](const char* data, size_t size) {
                    out.append(data, size);
                    return true;
                  });
  }
  return out;
}

}  // namespace postura::test

#endif  // POSTURA_TESTS_TESTING_GZIP_BOMB_H_
