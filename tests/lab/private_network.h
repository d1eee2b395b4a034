// Moves the calling test process (and every process it starts later) into a network namespace of
// its own, with its own lo and its own nftables ruleset: a test's cuts are real, but cannot
// disturb a lab that runs on the machine's lo at the same time (other tests, a developer's lab),
// and vanish with the process even when it crashes. Each ctest test is a process of its own.
#pragma once

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "lab/net.h"

namespace dr::testing {

// Empty on success, else why not (a test skips with it).
inline std::string enter_private_network() {
  if (::unshare(CLONE_NEWNET) != 0) {
    return std::string("cannot make a network namespace: ") + std::strerror(errno);
  }
  lab::Socket s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(s.fd(), SIOCGIFFLAGS, &ifr) != 0) return "cannot read lo's flags";
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(s.fd(), SIOCSIFFLAGS, &ifr) != 0) return "cannot bring lo up";
  return "";
}

}  // namespace dr::testing
