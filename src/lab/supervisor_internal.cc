#include "lab/supervisor_internal.h"

#include <chrono>
#include <ctime>
#include <iostream>

namespace dr::lab::supervisor_detail {

const DatabaseSpec* database_spec(const std::string& name) {
  for (const auto& d : default_topology().databases) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

bool known_region(const std::string& region) {
  for (const auto& r : default_topology().regions) {
    if (r == region) return true;
  }
  return false;
}

std::string host_port(const std::string& address, std::uint16_t port) {
  return address + ":" + std::to_string(port);
}

// "writer-us-east-1" -> {"writer", "us-east-1"}; the same for reader-, alb-, dynamodb-.
std::pair<std::string, std::string> split_regional(const std::string& name) {
  for (const std::string prefix : {"writer-", "reader-", "alb-", "dynamodb-"}) {
    if (name.starts_with(prefix))
      return {prefix.substr(0, prefix.size() - 1), name.substr(prefix.size())};
  }
  return {"", ""};
}

namespace {

// ISO 8601 in UTC ("2026-12-02T15:04:05Z"): the log compares with the controller's and the
// drill's without guessing the date or the zone.
std::string timestamp() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

void log_line(const std::string& line) {
  std::cout << timestamp() << " " << line << std::endl;
}

}  // namespace dr::lab::supervisor_detail
