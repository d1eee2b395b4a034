// One observer of the primary region (a controller checker or the witness): a HealthChecker per
// target, fed one probe result per target per interval, summarised as an Observation.
#pragma once

#include <nlohmann/json.hpp>

#include <expected>

#include "core/health_checker.h"
#include "core/snapshot.h"

namespace dr::core {

enum class Target { kWriter, kAzStandby, kApp };

struct ObserverThresholds {
  int failure = 3;  // the lab's default: 1 s probes, threshold 3
  int success = 2;
};

class Observer {
 public:
  Observer(std::string name, bool witness, ObserverThresholds thresholds = {});

  HealthTransition record(Target target, bool ok);
  Observation observation() const;
  const std::string& name() const { return name_; }

 private:
  HealthChecker& checker(Target target);

  std::string name_;
  bool witness_;
  HealthChecker writer_, az_standby_, app_;
};

// The witness serves its observation as JSON; the controller reads it back.
nlohmann::json to_json(const Observation& o);
std::expected<Observation, std::string> observation_from_json(const nlohmann::json& j);

}  // namespace dr::core
