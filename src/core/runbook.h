// The failover runbook: an ordered list of named, idempotent steps run against core's ports
// (core/ports.h). Its progress is saved after every step, so a controller killed mid-runbook
// resumes at the step it stopped in (re-running that step is safe: every step is idempotent).
// Each step is audited with its duration and outcome (orchestrator's lesson). Whether a failed
// step is skipped or stops the runbook follows from the error's kind (core/error.h) and the
// step's rule in the step table, never from the wording of a message.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/ports.h"
#include "core/snapshot.h"

namespace dr::core {

enum class Scenario { kAppRegionFailover, kRegionFailover, kSwitchover };
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
  // An unplanned failover may lose the asynchronous window (what the new writer lacks when the
  // old one died); a planned switchover never does, and stops rather than lose a write.
  bool allow_data_loss = true;

  DatabaseMove database_move() const;
};

// The steps, each once in the table of runbook.cc (name, what it runs, what a failure means).
enum class Step {
  kFenceOldWriter,   // the old writer stops taking writes (its apps keep serving)
  kFenceOldPrimary,  // the old writer and the abandoned region's apps stop taking writes
  kTakeWriteLease,   // the region traffic moves to takes the write lease (issue 12)
  kPromote,          // the global database fails (or switches) over
  kScaleStandby,     // the new primary region's fleet is unfenced and scaled up
  kShiftTraffic,     // clients go to the new primary region
  kVerifyWrite,      // a real write through the front door lands on the new writer
  kNotify,           // operators hear of it
};
std::string to_string(Step step);
std::optional<Step> step_from_string(const std::string& name);

// What a failed step means for the runbook.
enum class OnFailure {
  kStop,  // the runbook stops at this step; the next attempt runs it again
  // A dead (unreachable, timed out) or absent (not-supported) target is skipped when the plan
  // allows data loss: the region is abandoned, and what cannot be reached cannot take writes from
  // anyone who cannot reach it. Any other kind stops.
  kSkipIfGoneAndDataLossAllowed,
  // Only a target that has no such thing (not-supported) is skipped: the write lease cannot be
  // skipped for being out of reach, since that is when it protects.
  kSkipIfNotSupported,
};
bool skips(OnFailure rule, const Error& error, const RunbookPlan& plan);

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
const std::vector<Step>& steps_for(Scenario scenario);

struct Backends {
  GlobalDatabase& database;
  Fleet& fleet;
  Traffic& traffic;
  Probe& probe;
  Notifier& notifier;
  WriteLease& lease;
};

// Where progress lives (a DynamoDB table in the secondary region; its lab twin).
class RunbookStore {
 public:
  virtual ~RunbookStore() = default;
  // conflict: another owner's lease on an unfinished runbook still holds (someone else is
  // running it); never taken over before that lease runs out.
  virtual Result<> save(const RunbookState& state) = 0;
};

class Runbook {
 public:
  // One row per step: the table in runbook.cc.
  struct StepSpec {
    Step step;
    const char* name;
    std::expected<std::string, Error> (Runbook::*run)(const RunbookPlan&);
    OnFailure on_failure;
  };
  static const StepSpec& spec(Step step);
  static std::span<const StepSpec> table();

  using Now = std::function<TimePoint()>;
  Runbook(Backends backends, RunbookStore& store, Now now);

  // Runs from state.next_step to the end, saving after each step. Stops at the first step that
  // fails (its error in last_error, next_step unchanged) so the next attempt resumes there.
  RunbookState run(RunbookState state);

 private:
  // ok: done, with its audit outcome ("ok" or "skipped: ..."); unexpected: failed.
  using StepResult = std::expected<std::string, Error>;
  StepResult run_step(Step step, const RunbookPlan& plan);
  StepResult fence_old_writer(const RunbookPlan& plan);
  StepResult fence_old_primary(const RunbookPlan& plan);
  StepResult take_write_lease(const RunbookPlan& plan);
  StepResult promote(const RunbookPlan& plan);
  StepResult scale_standby(const RunbookPlan& plan);
  StepResult shift_traffic(const RunbookPlan& plan);
  StepResult verify_write(const RunbookPlan& plan);
  StepResult notify(const RunbookPlan& plan);

  Backends b_;
  RunbookStore& store_;
  Now now_;
  // The audit of the runbook being run (set by run()): a step may depend on how an earlier one
  // went (the lease is handed over at once only when the old region was fenced).
  const std::vector<StepRecord>* audit_ = nullptr;
};

}  // namespace dr::core
