// The lab's Endpoints, Fleet and Traffic: calls to the lab supervisor's control API (JSON over
// HTTP on its global address), which reconfigures HAProxy and the fleets, as the AWS backends
// would call the RDS, Auto Scaling and Route 53 (or CloudWatch-alarm) APIs.
#pragma once

#include <chrono>
#include <string>

#include "backends/interfaces.h"

namespace dr::backends::lab {

class SupervisorClient final : public Endpoints, public Fleet, public Traffic {
 public:
  // `token`: the lab's control token (lab/control_token.h), sent as a bearer token.
  SupervisorClient(std::string host, int port, std::string token,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

  Result<> repoint_writer(const std::string& region, const std::string& server) override;
  Result<> repoint_reader(const std::string& region, const std::string& server) override;
  Result<> set_capacity(const std::string& region, int min, int desired, int max) override;
  // The region's fence (the supervisor's fleet): every instance of the region refuses writes,
  // including those launched later.
  Result<> fence_apps(const std::string& region, const std::string& reason) override;
  Result<> unfence_apps(const std::string& region) override;
  Result<> shift_to(const std::string& region) override;
  // Health checks decide again (after a failback: the baseline, no override).
  Result<> clear_front_door_override();

 private:
  Result<> call(const std::string& method, const std::string& path, const std::string& body);

  std::string host_;
  int port_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

// Probe: one real order through the front door; it must be acknowledged by `region`.
class FrontDoorProbe final : public Probe {
 public:
  FrontDoorProbe(std::string front_door_url, std::string id_prefix,
                 std::chrono::milliseconds deadline = std::chrono::milliseconds(5000));
  Result<> verify_write(const std::string& region) override;

 private:
  std::string url_;
  std::string prefix_;
  std::chrono::milliseconds deadline_;
  int attempt_ = 0;
};

}  // namespace dr::backends::lab
