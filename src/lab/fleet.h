// One region's app fleet: the lab's Auto Scaling group. Keeps `desired` dr-app processes
// running, spread over the region's live AZs; registers each with the region's ALB (an HAProxy
// with pre-declared, disabled server slots) once it listens, and deregisters it before stopping
// it. Each instance serves its traffic port (the ALB's) and an admin port of its own (health
// checks, fencing). Replacement is on liveness only: an instance whose process exited, or whose
// admin listener has not answered for LivenessPolicy::grace, is replaced; a slow traffic port never
// is (that is load, and replacing instances under load turns it into an outage).
//
// The region's fence is the fleet's: every instance is fenced through its admin port, and an
// instance launched while the region is fenced starts fenced.
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
  // The ALB's health listener (the front door's check): the apps' admin ports, same slots.
  std::string alb_health_backend = "alb_health";
  // The write lease's etcd members ("address:port", the app's own site's first); empty: none.
  std::vector<std::string> lease_endpoints;
  int lease_ttl_s = 2;  // as the takers grant it (dr-app --lease-ttl-s)
  std::chrono::milliseconds lease_renew{250};
};

// How often the fleet asks each instance's admin listener whether it lives, how long one ask may
// take, and how long without an answer makes it dead.
struct LivenessPolicy {
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{800};
  std::chrono::milliseconds grace{10'000};
};

class Fleet {
 public:
  Fleet(FleetCapacity capacity, std::vector<std::string> azs, AppLaunchConfig launch,
        HaproxyRuntime alb, Clock& clock, LivenessPolicy liveness = {});
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

  // The region's fence: fences (or lifts the fence of) every running instance through its admin
  // listener, and every later instance starts that way. An instance that cannot be told is taken
  // out of the ALB until it can (each reconcile retries); the error names it.
  Result<void> set_fenced(bool fenced, const std::string& reason);
  bool fenced() const { return fenced_; }

 private:
  enum class Phase { kLaunching, kInService };
  struct Instance {
    std::string name;
    std::string az;
    int slot = 0;  // ALB server "app<slot>"
    std::string address;
    std::uint16_t port = 0;
    std::uint16_t admin_port = 0;
    std::filesystem::path ready_file;
    Process process;
    Phase phase = Phase::kLaunching;
    bool registered = false;
    Clock::TimePoint launched_at;
    Clock::TimePoint last_alive;  // the admin listener's last answer
    Clock::TimePoint last_checked;
    bool fence_synced = true;  // the instance's fence is the region's (launched so, or told)
  };

  Result<void> launch(const std::set<std::string>& killed_azs, std::vector<std::string>& events);
  void retire(Instance& instance, bool graceful, std::vector<std::string>& events,
              const std::string& why);
  Result<void> register_instance(Instance& instance);
  void deregister(Instance& instance);
  Result<void> push_fence(const Instance& instance) const;
  void check_liveness(std::vector<std::string>& events);
  static std::string slot_name(int slot) { return "app" + std::to_string(slot); }

  FleetCapacity capacity_;
  std::vector<std::string> azs_;
  AppLaunchConfig launch_;
  HaproxyRuntime alb_;
  Clock& clock_;
  LivenessPolicy liveness_;
  bool fenced_ = false;
  std::string fence_reason_;
  std::vector<Instance> instances_;
  std::set<int> slots_up_;  // ALB slots whose health check is UP, as of the last reconcile
  int next_id_ = 1;
};

}  // namespace dr::lab
