// The handler's tick as the controller's: ControllerLoop::tick() on the given world and state
// store, with what it saw and did turned into metrics (probe results per observer, replication
// lag, runbook step durations).
#pragma once

#include <memory>

#include "controller/loop.h"
#include "core/world.h"
#include "lambda/handler.h"

namespace dr::lambda {

class ControllerTick {
 public:
  // `world` and `store` outlive this.
  ControllerTick(core::World& world, core::StateStore& store, controller::LoopOptions options,
                 controller::ControllerLoop::Log log);
  ControllerTick(const ControllerTick&) = delete;  // the loop holds a reference to world_
  ControllerTick& operator=(const ControllerTick&) = delete;

  std::expected<TickOutcome, std::string> operator()();

 private:
  // Passes everything through and keeps the last snapshot for the metrics.
  class Recording final : public core::World {
   public:
    explicit Recording(core::World& inner) : inner_(inner) {}
    std::expected<core::Snapshot, std::string> observe() override;
    core::Backends backends() override { return inner_.backends(); }
    std::optional<core::Snapshot> last;

   private:
    core::World& inner_;
  };

  Recording world_;
  std::vector<double> step_ms_;
  std::unique_ptr<controller::ControllerLoop> loop_;
};

}  // namespace dr::lambda
