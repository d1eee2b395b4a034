#include "core/observer.h"

namespace dr::core {

Observer::Observer(std::string name, bool witness, ObserverThresholds t)
    : name_(std::move(name)),
      witness_(witness),
      writer_(t.failure, t.success),
      az_standby_(t.failure, t.success),
      app_(t.failure, t.success) {}

HealthChecker& Observer::checker(Target target) {
  switch (target) {
    case Target::kWriter:
      return writer_;
    case Target::kAzStandby:
      return az_standby_;
    case Target::kApp:
      return app_;
  }
  return writer_;
}

HealthTransition Observer::record(Target target, bool ok) {
  return checker(target).record(ok);
}

Observation Observer::observation() const {
  return {name_,           witness_,
          writer_.state(), az_standby_.state(),
          app_.state(),    writer_.pending() || az_standby_.pending() || app_.pending()};
}

}  // namespace dr::core
