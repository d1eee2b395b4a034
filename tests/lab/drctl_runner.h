// Running the real drctl from a test against a lab directory, and the PIDs a lab records: shared
// by the end-to-end lab tests, each of which brings whole labs up and must leave nothing behind.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lab/lab_state.h"
#include "lab/mariadb_helpers.h"
#include "lab/process.h"

namespace dr::testing {

struct CommandRun {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `drctl <argv...>` with the lab's test environment and waits for it; the output is kept in
// `log`.
inline CommandRun run_drctl(const std::vector<std::string>& argv, const std::filesystem::path& log,
                            std::chrono::milliseconds timeout) {
  lab::SpawnOptions spawn;
  spawn.argv = {DRCTL_BINARY};
  spawn.argv.insert(spawn.argv.end(), argv.begin(), argv.end());
  spawn.env = {{"DR_APP_BINARY", DR_APP_BINARY},
               {"DR_MARIADB_TEMPLATE", shared_datadir_template().string()}};
  spawn.log_file = log;
  auto p = lab::Process::spawn(spawn);
  if (!p) return {-1, p.error().describe()};
  auto code = p->wait(timeout);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  return {code.value_or(-1), text.str()};
}

// Every PID the lab in `dir` records now (the supervisor's and its components'), appended to
// `pids`, so a test's teardown can stop whatever survives.
inline void append_recorded_pids(const std::filesystem::path& dir,
                                 std::vector<lab::PidRecord>& pids) {
  auto s = lab::load_lab_state(dir);
  if (!s) return;
  pids.push_back(s->supervisor);
  for (const auto& c : s->components) {
    if (c.pid.pid != 0) pids.push_back(c.pid);
  }
}

}  // namespace dr::testing
