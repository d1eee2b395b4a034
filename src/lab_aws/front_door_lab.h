// What the monitoring and route53 handlers need from the lab's front door (the HAProxy that
// plays Route 53's failover records), behind an interface so they are unit-tested without
// servers: HAProxy's own view of each region's ALB (its health checks), the override, and the
// way to set or clear it (the supervisor's control API over a running lab, lab_backends.h).
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>

namespace dr::lab_aws {

struct FrontDoorView {
  std::map<std::string, bool> alb_up;          // region -> HAProxy's check of its ALB says UP
  std::map<std::string, std::string> alb_url;  // region -> "http://host:port"
  std::optional<std::string> forced_to;        // the override, when one is set
  std::string active_region;                   // where the front door sends traffic now ("none")
};

class FrontDoorLab {
 public:
  virtual ~FrontDoorLab() = default;
  virtual std::expected<FrontDoorView, std::string> front_door() = 0;
  // `region`: send all traffic there; nullopt: the health checks decide again.
  virtual std::expected<void, std::string> force_front_door(
      const std::optional<std::string>& region) = 0;
};

}  // namespace dr::lab_aws
