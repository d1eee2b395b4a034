// A client of HAProxy's runtime API (the admin stats socket): what the controller uses to repoint
// an endpoint or take a server out of rotation without a reload, and to read what HAProxy's own
// health checks think.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "lab/error.h"

namespace dr::lab {

enum class ServerAdminState {
  kReady,  // in rotation
  kDrain,  // existing sessions continue, no new ones (except persistence)
  kMaint,  // out: no traffic at all, checks stopped
};

std::string_view to_string(ServerAdminState state);

// One server row of `show stat`.
struct ServerStat {
  std::string backend;
  std::string server;
  // As HAProxy prints it: "UP", "DOWN", "MAINT", "DRAIN", "no check", or a transition such as
  // "UP 1/3" (up, failing checks) or "DOWN 1/2" (down, passing checks).
  std::string status;
  std::string address;  // "ip:port" it sends traffic to
  bool backup = false;
  std::uint64_t total_sessions = 0;
  std::uint64_t current_sessions = 0;

  // Takes new traffic, as far as health and admin state go.
  bool up() const { return status.starts_with("UP") || status == "no check"; }
};

class HaproxyRuntime {
 public:
  explicit HaproxyRuntime(std::filesystem::path socket,
                          std::chrono::milliseconds timeout = std::chrono::seconds(2))
      : socket_(std::move(socket)), timeout_(timeout) {}

  // One command, its whole answer. HAProxy answers errors in text, so callers of this raw form
  // must read the answer; the typed calls below do.
  Result<std::string> command(std::string_view command) const;

  Result<void> set_server_state(std::string_view backend, std::string_view server,
                                ServerAdminState state) const;
  // Sends the server's new connections to another address; existing ones stay where they are
  // (see shutdown_sessions).
  Result<void> set_server_address(std::string_view backend, std::string_view server,
                                  std::string_view address, std::uint16_t port) const;
  // Where the server's health check connects, when it is not the traffic port (an app's admin
  // listener, so load on the traffic port cannot fail the check).
  Result<void> set_server_check_port(std::string_view backend, std::string_view server,
                                     std::uint16_t port) const;
  // Cuts every session established through this server: after repointing a writer endpoint,
  // nothing must keep writing to the old primary.
  Result<void> shutdown_sessions(std::string_view backend, std::string_view server) const;

  Result<std::vector<ServerStat>> servers() const;
  Result<ServerStat> server(std::string_view backend, std::string_view server) const;

 private:
  Result<void> expect_silent(const std::string& command) const;

  std::filesystem::path socket_;
  std::chrono::milliseconds timeout_;
};

// Parses `show stat` CSV output (header "# pxname,svname,...") into its server rows.
Result<std::vector<ServerStat>> parse_show_stat(std::string_view csv);

}  // namespace dr::lab
