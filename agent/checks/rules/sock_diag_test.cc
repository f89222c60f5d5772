// sock_diag against the live kernel, on loopback: it must agree with /proc/net.

#include "agent/checks/rules/sock_diag.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"

namespace postura::agent {
namespace {

// A socket bound to 127.0.0.1 on a free port; listening if TCP. Closed on destruction.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(int type) : fd_(socket(AF_INET, type, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    if (type == SOCK_STREAM) {
      EXPECT_EQ(listen(fd_, 1), 0);
    }
    socklen_t size = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackSocket() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

std::vector<SocketEntry> ProcNet(const char* table) {
  std::ifstream file(table);
  return ParseProcNet(
      std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>()));
}

void ExpectAgreesWithProcNet(bool udp, int port) {
  absl::StatusOr<std::vector<SocketEntry>> live = LiveListeners(udp);
  ASSERT_TRUE(live.ok()) << live.status();
  const SocketEntry* found = nullptr;
  for (const SocketEntry& entry : *live) {
    if (entry.port == port) found = &entry;
  }
  ASSERT_NE(found, nullptr) << "port " << port << " not listed";
  EXPECT_EQ(found->local_address, "0100007F");
  EXPECT_TRUE(IsLoopbackAddress(found->local_address));
  bool in_proc = false;
  for (const SocketEntry& entry : ProcNet(udp ? "/proc/net/udp" : "/proc/net/tcp")) {
    if (entry.port == port) {
      in_proc = true;
      EXPECT_EQ(entry.local_address, found->local_address);
      EXPECT_EQ(entry.state, found->state);
    }
  }
  EXPECT_TRUE(in_proc);
}

TEST(SockDiagTest, ListsATcpListenerAsProcNetDoes) {
  ExpectAgreesWithProcNet(false, LoopbackSocket(SOCK_STREAM).port());
}

TEST(SockDiagTest, ListsAnUnconnectedUdpSocketAsProcNetDoes) {
  LoopbackSocket udp(SOCK_DGRAM);
  ExpectAgreesWithProcNet(true, udp.port());
}

TEST(SockDiagTest, ClosedSocketIsGone) {
  int port = 0;
  {
    LoopbackSocket tcp(SOCK_STREAM);
    port = tcp.port();
  }
  absl::StatusOr<std::vector<SocketEntry>> live = LiveListeners(false);
  ASSERT_TRUE(live.ok());
  for (const SocketEntry& entry : *live) EXPECT_NE(entry.port, port);
}

}  // namespace
}  // namespace postura::agent
