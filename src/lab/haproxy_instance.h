// One HAProxy process of the lab: config checked with `haproxy -c` before it runs, run in the
// foreground (-db) under our supervision, driven through its runtime API.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "lab/error.h"
#include "lab/haproxy_config.h"
#include "lab/haproxy_runtime.h"
#include "lab/process.h"

namespace dr::lab {

struct HaproxyOptions {
  std::string name;                // "alb-us-east-1": its directory under root_dir
  std::filesystem::path root_dir;  // the lab root
  bool die_with_parent = false;    // see SpawnOptions::die_with_parent
  // See SpawnOptions::on_spawn: called with the server's PID as soon as it runs.
  std::function<void(const PidRecord&)> on_spawn;
  std::chrono::milliseconds start_timeout{10'000};
};

class HaproxyInstance {
 public:
  // Picks free ports for listeners with bind_port 0, puts the stats socket in the instance's
  // directory unless set, checks the config (kConfig with haproxy's own words if it refuses it),
  // starts HAProxy and waits until its runtime API answers.
  static Result<HaproxyInstance> start(HaproxyOptions options, HaproxyConfig config);

  Result<void> stop() { return process_.stop(std::chrono::seconds(5)); }
  Result<void> kill() { return process_.kill(); }
  bool running() { return process_.running(); }
  pid_t pid() const { return process_.pid(); }

  // The config as run: ports and the socket path filled in.
  const HaproxyConfig& config() const { return config_; }
  // The port a listener was bound to; 0 for an unknown name.
  std::uint16_t port_of(std::string_view listener) const;
  HaproxyRuntime runtime() const { return HaproxyRuntime(config_.stats_socket); }
  const std::filesystem::path& log_file() const { return log_; }
  const std::filesystem::path& config_file() const { return cfg_; }

 private:
  HaproxyInstance(HaproxyConfig config, std::filesystem::path cfg, std::filesystem::path log,
                  Process process)
      : config_(std::move(config)),
        cfg_(std::move(cfg)),
        log_(std::move(log)),
        process_(std::move(process)) {}

  HaproxyConfig config_;
  std::filesystem::path cfg_;
  std::filesystem::path log_;
  Process process_;
};

}  // namespace dr::lab
