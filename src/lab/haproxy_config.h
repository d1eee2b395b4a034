// HAProxy configurations for the lab's proxies: the database writer/reader endpoints (mode tcp),
// the per-region ALBs and the global front door (mode http, health-checked, with a `backup`
// server). Each proxy is one `listen` section, so a proxy's name is also the backend name the
// runtime API takes.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lab/error.h"

namespace dr::lab {

enum class ProxyMode { kTcp, kHttp };

struct HealthCheck {
  std::string http_path;  // "GET <path>" must answer `expect_status`; empty: a TCP connect check
  int expect_status = 200;
  std::chrono::milliseconds interval{1000};
  int fall = 3;  // consecutive failures before DOWN
  int rise = 2;  // consecutive successes before UP
  // A failed connection on live traffic marks the server DOWN at once instead of waiting for
  // `fall` checks (FACTS: the backup took over in ~50 ms instead of 2.1 s of 503s).
  bool observe_layer4 = false;
};

struct ProxyServer {
  std::string name;
  std::string address;
  std::uint16_t port = 0;
  bool backup = false;  // used only while no active server is UP
  bool check = true;    // health-check it (needs ProxyListener::health)
  bool maint = false;   // start in maintenance (`disabled`): the controller enables it later
  std::uint16_t check_port = 0;  // health-check this port instead of the traffic port (0: same)
};

struct ProxyListener {
  std::string name;             // [A-Za-z0-9_.-]+; also the backend name
  std::string bind_address;     // loopback
  std::uint16_t bind_port = 0;  // 0: HaproxyInstance picks a free one
  // Where its connections to the servers, and its health checks, leave from (HAProxy `source`).
  // Empty: the kernel's choice, 127.0.0.1 for every lab address, which no cut of a site's /24
  // stops (docs/partitions.md). A proxy of a region binds the region's address.
  std::string source_address;
  ProxyMode mode = ProxyMode::kTcp;
  std::optional<HealthCheck> health;
  std::vector<ProxyServer> servers;
  std::chrono::milliseconds connect_timeout{1000};
  // Idle timeouts; nullopt: 1 h in tcp mode (pooled database connections idle for long), 30 s
  // in http mode.
  std::optional<std::chrono::milliseconds> idle_timeout;
  std::vector<std::string> extra_lines;  // appended verbatim, e.g. a prometheus-exporter rule
};

struct HaproxyConfig {
  std::vector<ProxyListener> listeners;
  std::filesystem::path stats_socket;  // the runtime API (level admin); required
};

// Names, addresses and ports that HAProxy would reject or that break the lab's rules (loopback
// only) are refused here, with a message naming the listener.
Result<void> validate(const HaproxyConfig& config);

// The haproxy.cfg text. Logs go to stdout (the supervisor captures it), raw format.
std::string render_haproxy_config(const HaproxyConfig& config);

}  // namespace dr::lab
