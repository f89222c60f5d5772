#include "common/base/thread_name.h"

#include <pthread.h>

#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace postura {
namespace {

std::string NameOfThisThread() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof(name));
  return name;
}

TEST(NameThisThreadTest, NamesTheCallingThreadOnly) {
  const std::string before = NameOfThisThread();
  std::string inside;
  std::thread([&] {
    NameThisThread("scoring");
    inside = NameOfThisThread();
  }).join();
  EXPECT_EQ(inside, "scoring");
  EXPECT_EQ(NameOfThisThread(), before);
}

TEST(NameThisThreadTest, CutsLongNamesAtFifteenBytes) {
  std::string inside;
  std::thread([&] {
    NameThisThread("a-name-longer-than-fifteen-bytes");
    inside = NameOfThisThread();
  }).join();
  EXPECT_EQ(inside, "a-name-longer-t");
}

}  // namespace
}  // namespace postura
