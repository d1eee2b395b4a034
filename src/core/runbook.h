// The failover runbook: an ordered list of named, idempotent steps run against the backends. Its
// progress is saved after every step, so a controller killed mid-runbook resumes at the step it
// stopped in (re-running that step is safe: every step is idempotent). Each step is audited with
// its duration and outcome (orchestrator's lesson).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/interfaces.h"
#include "core/snapshot.h"

namespace dr::core {

enum class Scenario { kAzFailover, kAppRegionFailover, kRegionFailover, kSwitchover };
std::string to_string(Scenario scenario);
std::optional<Scenario> scenario_from_string(const std::string& text);

struct RunbookPlan {
  std::string id;  // "fo-<unix ms>": names the failover in logs, notifications and `drctl ack`
  Scenario scenario = Scenario::kRegionFailover;
  std::string from_region;
  std::string to_region;
  std::string old_writer;
  std::string new_writer;
  std::string catch_up_source;         // a reachable replica more advanced than new_writer, or ""
  std::vector<std::string> followers;  // replicas that must follow the new writer (if alive)
  std::vector<std::string> regions;    // every region whose writer endpoint must be repointed
  int standby_capacity = 2;            // the fleet size the new primary region scales to
  std::chrono::milliseconds catch_up_timeout{2000};
};

struct StepRecord {
  std::string name;
  int64_t started_ms = 0;  // unix ms
  int64_t duration_ms = 0;
  std::string outcome;  // "ok", "skipped: <why>", "failed: <why>"
};

struct RunbookState {
  RunbookPlan plan;
  size_t next_step = 0;
  std::vector<StepRecord> audit;
  bool done = false;
  std::string last_error;
  // Who is running it and until when that claim holds (unix ms); renewed on every save. A
  // runbook whose lease ran out was abandoned (its runner died) and may be resumed by another.
  std::string owner;
  int64_t lease_until_ms = 0;
};

nlohmann::json to_json(const RunbookState& state);
std::expected<RunbookState, std::string> runbook_from_json(const nlohmann::json& j);

// The steps of a scenario, in order.
const std::vector<std::string>& steps_for(Scenario scenario);

struct Backends {
  backends::Database& database;
  backends::Endpoints& endpoints;
  backends::Fleet& fleet;
  backends::Traffic& traffic;
  backends::Probe& probe;
  backends::Notifier& notifier;
};

// Where progress lives (a DynamoDB table in the secondary region; its lab twin).
class RunbookStore {
 public:
  virtual ~RunbookStore() = default;
  virtual std::expected<void, std::string> save(const RunbookState& state) = 0;
};

class Runbook {
 public:
  using Now = std::function<TimePoint()>;
  Runbook(Backends backends, RunbookStore& store, Now now);

  // Runs from state.next_step to the end, saving after each step. Stops at the first step that
  // fails (its error in last_error, next_step unchanged) so the next attempt resumes there.
  RunbookState run(RunbookState state);

 private:
  // ok: done; unexpected: failed. A step may return ok with a "skipped: ..." note.
  std::expected<std::string, std::string> run_step(const std::string& step,
                                                   const RunbookPlan& plan);

  Backends b_;
  RunbookStore& store_;
  Now now_;
};

}  // namespace dr::core
