// The lab's probes, each made FROM a chosen source address, so that cutting a region's loopback
// range (nftables) cuts exactly the probes that would cross it, as a real partition would.
// Every probe is bounded by its timeout; a probe never throws and reports only up or down.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dr::backends::lab {

struct ProbeTarget {
  std::string host;
  std::uint16_t port = 0;
};

// A TCP connect from `source` and the MySQL server greeting (protocol 10, not an error packet):
// the server process is alive and its accept loop answers. A frozen server fails this.
bool probe_mysql(const std::string& source, const ProbeTarget& target,
                 std::chrono::milliseconds timeout);

// GET `path` from `source`; up when the status is 2xx.
bool probe_http(const std::string& source, const ProbeTarget& target, const std::string& path,
                std::chrono::milliseconds timeout);

}  // namespace dr::backends::lab
