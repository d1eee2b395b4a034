// The lab's Fleet and Traffic (core/ports.h), and its writer endpoints: calls to the lab
// supervisor's control API (JSON over HTTP on its global address), which reconfigures HAProxy and
// the fleets, as the AWS backends call the Auto Scaling and CloudWatch (Route 53) APIs. Errors
// carry core's kinds: no connection is unreachable, a lost answer outcome-unknown, HTTP 504 a
// timeout, any other refusal refused.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

#include "core/ports.h"
#include "lab/control_client.h"

namespace dr::backends::lab {

using core::Result;

class SupervisorClient final : public core::Fleet, public core::Traffic {
 public:
  // `token`: the lab's control token (lab/control_token.h), sent as a bearer token.
  // `source_address`: where its calls leave from (the controller's or the witness's address), so
  // that a partition of that site cuts them; "": the kernel's choice (an operator's drctl).
  SupervisorClient(std::string host, int port, std::string token,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(3000),
                   std::string source_address = "");

  // The region's writer (reader) endpoint now leads to `server`: Aurora's own job on AWS, the
  // lab's global database's here (lab_global_database.h).
  Result<> repoint_writer(const std::string& region, const std::string& server);
  Result<> repoint_reader(const std::string& region, const std::string& server);
  Result<> set_capacity(const std::string& region, int min, int desired, int max) override;
  // The region's fence (the supervisor's fleet): every instance of the region refuses writes,
  // including those launched later. The fence is recorded even when some instances cannot be
  // told (the supervisor keeps those out of the ALB): that is reported as unreachable.
  Result<> fence_apps(const std::string& region, const std::string& reason) override;
  Result<> unfence_apps(const std::string& region) override;
  Result<> shift_to(const std::string& region) override;
  // Health checks decide again (after a failback: the baseline, no override).
  Result<> clear_front_door_override();
  // GET /status: the supervisor's view (fleets, endpoints, every server's role from the server).
  Result<nlohmann::json> status();

 private:
  // `on_409`: what the supervisor's 409 (its "refused") means for this call.
  Result<> call(const std::string& method, const std::string& path, const nlohmann::json& body,
                core::ErrorKind on_409 = core::ErrorKind::kRefused);

  dr::lab::ControlClient client_;
};

// Probe: one real order through the front door; it must be acknowledged by `region`.
class FrontDoorProbe final : public core::Probe {
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
