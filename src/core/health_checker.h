// One observer's view of one target, with Route 53's semantics: a target changes state only after
// `threshold` consecutive results that disagree with its current state; until then the change is
// pending, and says so. A single failed probe therefore never moves anything.
#pragma once

#include <ostream>
#include <string>

namespace dr::core {

enum class Health { kUnknown, kHealthy, kUnhealthy };
enum class HealthTransition { kUnchanged, kChanged, kChangePending };

std::string to_string(Health health);
std::string to_string(HealthTransition transition);
std::ostream& operator<<(std::ostream& os, Health health);

class HealthChecker {
 public:
  // Route 53's default is 3 in both directions; a new checker is unknown until the first full
  // streak either way.
  explicit HealthChecker(int failure_threshold = 3, int success_threshold = 3);

  HealthTransition record(bool ok);

  Health state() const { return state_; }
  bool pending() const { return streak_ > 0; }
  // How many consecutive results so far disagree with the current state.
  int streak() const { return streak_; }
  int threshold_for_change() const;

 private:
  int failure_threshold_;
  int success_threshold_;
  Health state_ = Health::kUnknown;
  bool streak_ok_ = false;
  int streak_ = 0;
};

}  // namespace dr::core
