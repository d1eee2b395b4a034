// Runs a child process and collects its output. The lint's only I/O boundary besides reading
// files: the Node step (HCL -> JSON) and, where installed, `terraform`.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace dr::infra {

struct ProcessResult {
  int exit_code = 0;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

// argv[0] is looked up on PATH. The child inherits this process's environment, changed by
// env: "NAME=value" sets NAME, a bare "NAME" removes it. Fails only when the process could not
// be started.
std::expected<ProcessResult, std::string> run_process(const std::vector<std::string>& argv,
                                                      const std::string& cwd = {},
                                                      const std::vector<std::string>& env = {});

// The full path of an executable found on PATH, or empty.
std::string find_on_path(const std::string& name);

}  // namespace dr::infra
