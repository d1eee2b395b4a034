// The lab's AWS endpoint, assembled: the lab's keys (aws_credentials.h), the rds,
// autoscaling and elbv2 handlers over the running lab (lab_backends.h), sns into the lab's
// notification sink (<dir>/notifications.jsonl), secretsmanager for dr-app's database login,
// the dispatcher and the HTTP listener. `drctl lab
// supervise` runs one beside the control API (src/cli wires it: src/lab may not include
// backends/lab).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "lab/error.h"

namespace dr::lab_aws {

class LabEndpoint {
 public:
  using Log = std::function<void(const std::string&)>;

  LabEndpoint(std::filesystem::path lab_dir, Log log);
  ~LabEndpoint();  // stops listening, then waits for a running failover to finish

  // Creates the keys if needed, binds `address` (port 0: a free one); returns the URL.
  lab::Result<std::string> start(const std::string& address, int port = 0);
  void stop();

 private:
  struct Parts;
  std::filesystem::path dir_;
  Log log_;
  std::unique_ptr<Parts> parts_;
};

}  // namespace dr::lab_aws
