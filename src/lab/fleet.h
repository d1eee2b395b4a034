// One region's app fleet: the lab's Auto Scaling group. Keeps `desired` dr-app processes
// running, spread over the region's live AZs; registers each with the region's ALB (an HAProxy
// with pre-declared, disabled server slots) once it listens, and deregisters it before stopping
// it. An instance that dies or fails its /health check three times in a row is replaced.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lab/clock.h"
#include "lab/haproxy_runtime.h"
#include "lab/lab_state.h"
#include "lab/process.h"

namespace dr::lab {

// The "launch template": how to start one instance of the region's app.
struct AppLaunchConfig {
  std::filesystem::path app_binary;
  std::filesystem::path dir;  // instances live in dir/<instance name>/
  std::string region;
  std::string writer;  // "host:port" of the region's writer endpoint
  std::string reader;
  std::string dynamodb_endpoint;
  std::string db_user;
  std::string db_password;
  std::string db_name;
  std::string admin_token;
  std::string alb_backend = "alb";  // the ALB listener (and backend) name
};

class Fleet {
 public:
  Fleet(FleetCapacity capacity, std::vector<std::string> azs, AppLaunchConfig launch,
        HaproxyRuntime alb, Clock& clock);
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // One pass: drop dead or failing instances, register the ready ones, launch or retire
  // instances until the fleet matches its desired capacity. No launches in a killed region or
  // AZ. Returns one sentence per action, for the supervisor's log.
  std::vector<std::string> reconcile(const std::set<std::string>& killed_azs, bool region_killed);

  // Refused (kConfig) unless min <= desired <= max <= the ALB's slots.
  Result<void> set_capacity(FleetCapacity capacity);
  FleetCapacity capacity() const { return capacity_; }

  // In service and UP in the ALB's own health checks (what an ALB calls healthy targets).
  int healthy() const;
  int running() const { return static_cast<int>(instances_.size()); }
  std::vector<ComponentRecord> records() const;
  std::vector<std::string> instance_names() const;

  // SIGKILL, as a crash: the next reconcile notices and replaces the instance.
  Result<void> kill_instance(const std::string& name);
  // SIGKILL every instance placed in `az` (or every instance): an AZ or region outage.
  void kill_az(const std::string& az);
  void kill_all();
  // Deregister and stop every instance (SIGTERM, then SIGKILL): `down`.
  void stop_all();
  // After the ALB restarted (its slots came back disabled): register every instance again.
  void forget_registrations();

 private:
  enum class Phase { kLaunching, kInService };
  struct Instance {
    std::string name;
    std::string az;
    int slot = 0;  // ALB server "app<slot>"
    std::string address;
    std::uint16_t port = 0;
    std::filesystem::path ready_file;
    Process process;
    Phase phase = Phase::kLaunching;
    bool registered = false;
    int failed_checks = 0;
    Clock::TimePoint launched_at;
  };

  Result<void> launch(const std::set<std::string>& killed_azs, std::vector<std::string>& events);
  void retire(Instance& instance, bool graceful, std::vector<std::string>& events,
              const std::string& why);
  Result<void> register_instance(Instance& instance);
  static std::string slot_name(int slot) { return "app" + std::to_string(slot); }

  FleetCapacity capacity_;
  std::vector<std::string> azs_;
  AppLaunchConfig launch_;
  HaproxyRuntime alb_;
  Clock& clock_;
  std::vector<Instance> instances_;
  std::set<int> slots_up_;  // ALB slots whose health check is UP, as of the last reconcile
  int next_id_ = 1;
};

}  // namespace dr::lab
