// The lab state a drill starts from, and what to do when the lab is elsewhere: a drill measures
// one fault against a healthy lab with us-east-1 primary and automatic failover armed. A second
// drill on a lab that an earlier one left failed over would measure nothing (no decision, no
// runbook) and still print an RTO, so it is refused, naming the commands that restore the
// baseline. A pure function of the lab's status (`drctl lab status --json`) and the controller's
// guards, so every refusal can be tested without a lab.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace dr::drill {

// What the controller's state store says (core::Guards, without depending on core).
struct ControllerGuards {
  bool automatic_failover = true;
  std::optional<std::string> unacknowledged_failover;
  // A runbook saved but not done: the drill's controller would finish it first, and measure that.
  std::optional<std::string> runbook_in_flight;
};

// The commands that restore the baseline, in the order they must run. kFailback also covers
// traffic, fleets and fences away from the baseline while the writer is home (after an
// app-region failover): a failback at home restores those without moving the writer.
enum class Remedy { kFinishRunbook, kRestore, kFailback, kAck, kAutomaticFailoverOn };

struct BaselineProblem {
  std::string what;  // "a1 is killed", "the writer is b1 in us-west-2"
  Remedy remedy;
  // Settles by itself (an app instance still launching, a replica reconnecting): worth waiting
  // for a little before refusing.
  bool transient = false;
};

struct BaselineOptions {
  std::string primary_region = "us-east-1";
  // The controller's region: its writer endpoint names the global writer.
  std::string controller_region = "us-west-2";
  std::string dir_flag;  // " --dir <dir>" appended to every command named, or ""
};

struct Baseline {
  std::vector<BaselineProblem> problems;
  std::optional<std::string> unacknowledged_failover;  // for `drctl ack <id>`

  bool holds() const { return problems.empty(); }
  bool only_transient() const;
  // The commands that fix every problem, in order, each once.
  std::vector<std::string> commands(const std::string& dir_flag = "") const;
  // "the lab is not at the drill's baseline: <problems>. Restore it with `...`, or run the drill
  // with --reset."
  std::string refusal(const std::string& dir_flag = "") const;
};

// `status` is the control API's GET /status document.
Baseline check_baseline(const nlohmann::json& status, const ControllerGuards& guards,
                        const BaselineOptions& options = {});

}  // namespace dr::drill
