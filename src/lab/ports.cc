#include "lab/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace dr::lab {
namespace {

struct Block {
  unsigned first;
  unsigned size;
};

Block block_of(Component component) {
  switch (component) {
    case Component::kFrontDoor:
      return {10, 1};
    case Component::kDatabase:
      return {11, 9};
    case Component::kWriterEndpoint:
      return {21, 1};
    case Component::kReaderEndpoint:
      return {22, 1};
    case Component::kController:
      return {23, 1};
    case Component::kWitness:
      return {24, 1};
    case Component::kReplicator:
      return {25, 1};
    case Component::kSupervisor:
      return {26, 1};
    case Component::kAwsEndpoint:
      return {27, 1};
    case Component::kDynamoDb:
      return {31, 1};
    case Component::kAlb:
      return {41, 1};
    case Component::kLeaseStore:
      return {51, 1};
    case Component::kApp:
      return {101, 99};
  }
  return {0, 0};
}

unsigned site_octet(Site site) {
  switch (site) {
    case Site::kUsEast1:
      return 1;
    case Site::kUsWest2:
      return 2;
    case Site::kGlobal:
      return 3;
  }
  return 0;
}

}  // namespace

bool is_loopback(std::string_view address) {
  in_addr addr{};
  const std::string s(address);
  if (::inet_pton(AF_INET, s.c_str(), &addr) != 1) return false;
  return (ntohl(addr.s_addr) >> 24) == 127;
}

Result<std::uint16_t> pick_free_port(std::string_view address) {
  const std::string s(address);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  if (::inet_pton(AF_INET, s.c_str(), &addr.sin_addr) != 1) {
    return fail(ErrorKind::kConfig, "not an IPv4 address: " + s);
  }
  if (!is_loopback(s) && addr.sin_addr.s_addr != htonl(INADDR_ANY)) {
    return fail(ErrorKind::kConfig, "not a loopback address: " + s);
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(Error::system("socket", errno));
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  socklen_t len = sizeof addr;
  if (::bind(fd, sa, sizeof addr) != 0 || ::getsockname(fd, sa, &len) != 0) {
    const int err = errno;
    ::close(fd);
    return std::unexpected(Error::system("bind " + s + ":0", err));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string_view site_name(Site site) {
  switch (site) {
    case Site::kUsEast1:
      return "us-east-1";
    case Site::kUsWest2:
      return "us-west-2";
    case Site::kGlobal:
      return "global";
  }
  return "unknown";
}

std::string site_cidr(Site site) {
  return "127.0." + std::to_string(site_octet(site)) + ".0/24";
}

Result<std::string> lab_address(Site site, Component component, unsigned index) {
  const Block block = block_of(component);
  if (index >= block.size) {
    return fail(ErrorKind::kConfig, "address index " + std::to_string(index) +
                                        " is outside the component's block of " +
                                        std::to_string(block.size));
  }
  return "127.0." + std::to_string(site_octet(site)) + "." + std::to_string(block.first + index);
}

}  // namespace dr::lab
