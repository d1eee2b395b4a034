// Helpers shared by the supervisor's files (supervisor*.cc): the topology's names, the log, and
// the names each file uses (`using namespace supervisor_detail;` brings them). Private to the
// supervisor: nothing else includes it.
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "lab/lab_topology.h"

namespace dr::lab::supervisor_detail {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

const DatabaseSpec* database_spec(const std::string& name);
bool known_region(const std::string& region);
std::string host_port(const std::string& address, std::uint16_t port);
// "writer-us-east-1" -> {"writer", "us-east-1"}; the same for reader-, alb-, dynamodb-.
std::pair<std::string, std::string> split_regional(const std::string& name);
// One line of the supervisor's log, stamped in UTC.
void log_line(const std::string& line);

}  // namespace dr::lab::supervisor_detail
