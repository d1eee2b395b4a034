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

namespace {
std::expected<Health, std::string> health_from(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::unexpected(std::string("missing ") + key);
  for (Health h : {Health::kUnknown, Health::kHealthy, Health::kUnhealthy}) {
    if (to_string(h) == it->get<std::string>()) return h;
  }
  return std::unexpected(std::string("bad ") + key + ": " + it->dump());
}
}  // namespace

nlohmann::json to_json(const Observation& o) {
  return {{"observer", o.observer},        {"witness", o.witness},
          {"writer", to_string(o.writer)}, {"az_standby", to_string(o.az_standby)},
          {"app", to_string(o.app)},       {"pending", o.pending}};
}

std::expected<Observation, std::string> observation_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::unexpected("observation is not an object");
  Observation o;
  try {
    o.observer = j.value("observer", "");
    o.witness = j.value("witness", false);
    o.pending = j.value("pending", false);
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(std::string("observation has a field of the wrong type: ") + e.what());
  }
  auto w = health_from(j, "writer");
  auto s = health_from(j, "az_standby");
  auto a = health_from(j, "app");
  if (!w) return std::unexpected(w.error());
  if (!s) return std::unexpected(s.error());
  if (!a) return std::unexpected(a.error());
  o.writer = *w;
  o.az_standby = *s;
  o.app = *a;
  return o;
}

}  // namespace dr::core
