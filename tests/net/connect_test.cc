#include "net/connect.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace dr::net {
namespace {

using namespace std::chrono_literals;

// A listener on `host`, port chosen by the kernel; `backlog` 0 keeps its accept queue tiny.
struct Listener {
  explicit Listener(const char* host, int backlog = 16) {
    fd = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, host, &addr.sin_addr);
    socklen_t len = sizeof addr;
    ok = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
         ::listen(fd.get(), backlog) == 0 &&
         ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    port = ntohs(addr.sin_port);
  }
  UniqueFd fd;
  sockaddr_in addr{};
  std::uint16_t port = 0;
  bool ok = false;
};

TEST(NetConnect, ConnectsToAListener) {
  Listener l("127.0.0.1");
  ASSERT_TRUE(l.ok);
  auto c = connect_within("127.0.0.1", l.port, "", 2s);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_GE(c->get(), 0);
}

TEST(NetConnect, BindsTheLocalAddressItIsGiven) {
  Listener l("127.0.0.1");
  ASSERT_TRUE(l.ok);
  auto c = connect_within("127.0.0.1", l.port, "127.0.0.2", 2s);
  ASSERT_TRUE(c) << c.error().message;
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  UniqueFd accepted(::accept(l.fd.get(), reinterpret_cast<sockaddr*>(&peer), &len));
  ASSERT_GE(accepted.get(), 0);
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
  EXPECT_STREQ(text, "127.0.0.2");
}

TEST(NetConnect, APortNobodyListensOnIsRefused) {
  // Bound but not listening: refused, and no other process can take the port meanwhile.
  UniqueFd bound(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(bound.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(bound.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::uint16_t port = ntohs(addr.sin_port);
  auto c = connect_within("127.0.0.1", port, "", 2s);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::kRefused) << c.error().message;
  EXPECT_EQ(c.error().error_number, ECONNREFUSED);
  EXPECT_EQ(c.error().message, "Connection refused");
}

// A listener whose accept queue is full: the kernel drops further SYNs, as a cut does, and a
// connect hangs until its deadline.
TEST(NetConnect, ADroppedSynTimesOutAtTheDeadline) {
  Listener l("127.0.1.98", 0);
  ASSERT_TRUE(l.ok);
  std::vector<UniqueFd> fillers;
  bool full = false;
  // Fill the queue until a connect no longer completes at once.
  for (int i = 0; i < 8 && !full; ++i) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    (void)::connect(fd.get(), reinterpret_cast<sockaddr*>(&l.addr), sizeof l.addr);
    pollfd p{fd.get(), POLLOUT, 0};
    full = ::poll(&p, 1, 200) == 0;  // this SYN was dropped: the queue is full
    fillers.push_back(std::move(fd));
  }
  ASSERT_TRUE(full) << "the accept queue never filled";
  auto c = connect_within("127.0.1.98", l.port, "", 300ms);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::kTimeout) << c.error().message;
  EXPECT_EQ(c.error().message, "connect timed out");
}

TEST(NetConnect, ALocalAddressThisHostDoesNotHaveIsABadAddress) {
  Listener l("127.0.0.1");
  ASSERT_TRUE(l.ok);
  // 192.0.2.1 (TEST-NET-1) is on no interface here: bind() fails.
  auto c = connect_within("127.0.0.1", l.port, "192.0.2.1", 2s);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::kBadAddress) << c.error().message;
  EXPECT_EQ(c.error().error_number, EADDRNOTAVAIL);
  EXPECT_TRUE(c.error().message.starts_with("bind to the local address: ")) << c.error().message;
}

TEST(NetConnect, NamesAndMismatchedFamiliesAreBadAddresses) {
  Listener l("127.0.0.1");
  ASSERT_TRUE(l.ok);
  for (auto [host, local] : {std::pair{"localhost", ""}, std::pair{"127.0.0.1", "not-an-address"},
                             std::pair{"127.0.0.1", "::1"}, std::pair{"", ""}}) {
    auto c = connect_within(host, l.port, local, 2s);
    ASSERT_FALSE(c) << host << " from " << local;
    EXPECT_EQ(c.error().kind, ErrorKind::kBadAddress) << host << " from " << local;
  }
}

}  // namespace
}  // namespace dr::net
