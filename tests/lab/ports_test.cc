#include "lab/ports.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace dr::lab {
namespace {

bool can_listen(const std::string& address, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  const bool ok =
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd, 1) == 0;
  ::close(fd);
  return ok;
}

TEST(PickFreePort, ReturnsAPortThatCanBeBoundOnThatRegionAddress) {
  auto port = pick_free_port("127.0.1.1");
  ASSERT_TRUE(port) << port.error();
  EXPECT_GT(*port, 0);
  EXPECT_TRUE(can_listen("127.0.1.1", *port));
}

TEST(PickFreePort, RefusesAddressesOutsideLoopback) {
  EXPECT_EQ(pick_free_port("10.0.0.1").error().kind, ErrorKind::kConfig);
  EXPECT_EQ(pick_free_port("localhost").error().kind, ErrorKind::kConfig);
  EXPECT_TRUE(pick_free_port("0.0.0.0"));
}

TEST(AddressPlan, GivesEachRegionItsOwnSlash24) {
  EXPECT_EQ(site_cidr(Site::kUsEast1), "127.0.1.0/24");
  EXPECT_EQ(site_cidr(Site::kUsWest2), "127.0.2.0/24");
  EXPECT_EQ(site_cidr(Site::kGlobal), "127.0.3.0/24");
  EXPECT_EQ(site_name(Site::kUsWest2), "us-west-2");
}

TEST(AddressPlan, NamesTheHostsOfTheDefaultTopology) {
  EXPECT_EQ(lab_address(Site::kUsEast1, Component::kDatabase, 0), "127.0.1.11");  // A1
  EXPECT_EQ(lab_address(Site::kUsEast1, Component::kDatabase, 1), "127.0.1.12");  // A2
  EXPECT_EQ(lab_address(Site::kUsWest2, Component::kDatabase, 0), "127.0.2.11");  // B1
  EXPECT_EQ(lab_address(Site::kUsWest2, Component::kWriterEndpoint), "127.0.2.21");
  EXPECT_EQ(lab_address(Site::kGlobal, Component::kFrontDoor), "127.0.3.10");
  EXPECT_EQ(lab_address(Site::kUsEast1, Component::kApp, 98), "127.0.1.199");
}

TEST(AddressPlan, RefusesAnIndexOutsideTheComponentsBlock) {
  EXPECT_EQ(lab_address(Site::kUsEast1, Component::kApp, 99).error().kind, ErrorKind::kConfig);
  EXPECT_FALSE(lab_address(Site::kUsEast1, Component::kWriterEndpoint, 1));
}

}  // namespace
}  // namespace dr::lab
