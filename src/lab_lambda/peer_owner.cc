#include "lab_lambda/peer_owner.h"

#include <arpa/inet.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace dr::lab_lambda {

namespace {

// The kernel's format: the address as the raw 32-bit value in %08X, the port in host order.
std::optional<std::string> proc_endpoint(const std::string& ip, int port) {
  in_addr addr{};
  if (::inet_pton(AF_INET, ip.c_str(), &addr) != 1 || port <= 0 || port > 65535)
    return std::nullopt;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08X:%04X", static_cast<unsigned>(addr.s_addr),
                static_cast<unsigned>(port));
  return std::string(buf);
}

}  // namespace

std::optional<uid_t> loopback_peer_uid(const std::string& client_ip, int client_port,
                                       const std::string& server_ip, int server_port) {
  auto local = proc_endpoint(client_ip, client_port);
  auto remote = proc_endpoint(server_ip, server_port);
  if (!local || !remote) return std::nullopt;
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    // sl local rem st tx:rx tr:when retrnsmt uid ...
    std::istringstream fields(line);
    std::string sl, loc, rem, st, queues, timer, retransmits;
    long uid = -1;
    if (!(fields >> sl >> loc >> rem >> st >> queues >> timer >> retransmits >> uid)) continue;
    if (loc == *local && rem == *remote) return static_cast<uid_t>(uid);
  }
  return std::nullopt;
}

}  // namespace dr::lab_lambda
