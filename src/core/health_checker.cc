#include "core/health_checker.h"

#include <algorithm>

namespace dr::core {

std::string to_string(Health health) {
  switch (health) {
    case Health::kUnknown:
      return "unknown";
    case Health::kHealthy:
      return "healthy";
    case Health::kUnhealthy:
      return "unhealthy";
  }
  return "?";
}

std::string to_string(HealthTransition t) {
  switch (t) {
    case HealthTransition::kUnchanged:
      return "unchanged";
    case HealthTransition::kChanged:
      return "changed";
    case HealthTransition::kChangePending:
      return "change-pending";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, Health health) {
  return os << to_string(health);
}

HealthChecker::HealthChecker(int failure_threshold, int success_threshold)
    : failure_threshold_(std::max(1, failure_threshold)),
      success_threshold_(std::max(1, success_threshold)) {}

int HealthChecker::threshold_for_change() const {
  return streak_ok_ ? success_threshold_ : failure_threshold_;
}

HealthTransition HealthChecker::record(bool ok) {
  const Health target = ok ? Health::kHealthy : Health::kUnhealthy;
  if (state_ == target) {
    streak_ = 0;  // a result that agrees with the state cancels a pending change
    return HealthTransition::kUnchanged;
  }
  if (streak_ == 0 || streak_ok_ != ok) {
    streak_ok_ = ok;
    streak_ = 0;
  }
  ++streak_;
  if (streak_ >= threshold_for_change()) {
    state_ = target;
    streak_ = 0;
    return HealthTransition::kChanged;
  }
  return HealthTransition::kChangePending;
}

}  // namespace dr::core
