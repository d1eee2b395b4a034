#include "lambda/controller_tick.h"

namespace dr::lambda {

std::expected<core::Snapshot, std::string> ControllerTick::Recording::observe() {
  auto snapshot = inner_.observe();
  if (snapshot) last = *snapshot;
  return snapshot;
}

ControllerTick::ControllerTick(core::World& world, core::StateStore& store,
                               controller::LoopOptions options, controller::ControllerLoop::Log log)
    : world_(world) {
  auto events = std::move(options.events);
  options.events = [this, events](const nlohmann::json& e) {
    if (e.value("event", "") == "runbook-step" && e.contains("duration_ms") &&
        e["duration_ms"].is_number())
      step_ms_.push_back(e["duration_ms"].get<double>());
    if (events) events(e);
  };
  loop_ = std::make_unique<controller::ControllerLoop>(
      world_, store, std::move(options), [] { return core::Clock::now(); }, std::move(log));
}

std::expected<TickOutcome, std::string> ControllerTick::operator()() {
  world_.last.reset();
  step_ms_.clear();
  core::Decision d = loop_->tick();
  TickOutcome out{core::to_string(d.action), d.reason, {}};
  if (world_.last) {
    Metric app{"PrimaryAppHealthy", "Count", {}}, writer{"PrimaryWriterHealthy", "Count", {}};
    for (const auto& o : world_.last->observations) {
      // 1 healthy, 0 unhealthy, per observer; unknown is no sample.
      if (o.app != core::Health::kUnknown) app.values.push_back(o.app == core::Health::kHealthy);
      if (o.writer != core::Health::kUnknown)
        writer.values.push_back(o.writer == core::Health::kHealthy);
    }
    out.metrics.push_back(std::move(app));
    out.metrics.push_back(std::move(writer));
    if (world_.last->replication && world_.last->replication->lag_seconds)
      out.metrics.push_back(
          {"ReplicationLag", "Seconds", {*world_.last->replication->lag_seconds}});
  }
  if (!step_ms_.empty()) out.metrics.push_back({"StepDuration", "Milliseconds", step_ms_});
  return out;
}

}  // namespace dr::lambda
