// drctl aws ...: the controller's view of an AWS deployment, for operators. Reads the same
// configuration as the Lambda (the DR_* variables infra/modules/lambda sets, from the
// environment or an --env-file), and calls the APIs of the region that survives, with endpoints,
// region and profile resolved as the AWS CLI does (--endpoint-url, AWS_ENDPOINT_URL[_<SERVICE>],
// AWS_PROFILE).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

#include "aws/dynamodb.h"
#include "aws/endpoint_config.h"
#include "backends/aws/aws_status.h"
#include "backends/aws/aws_world.h"
#include "backends/aws/client_for.h"
#include "backends/aws/replication_lag.h"
#include "backends/controller_store.h"
#include "backends/jsonl_notifier.h"
#include "cli/commands.h"
#include "controller/loop.h"
#include "controller/operator_actions.h"
#include "core/decision.h"

namespace dr::cli {

namespace {

namespace aw = backends::aws_world;

struct AwsCommon {
  std::string env_file;
  std::string endpoint_url;
  std::string profile;
  bool json = false;
  std::string events_file;  // the moves: the loop's events, one JSON line each (drills, audits)
};

[[noreturn]] void fail(const AwsCommon& c, int code, const std::string& message) {
  if (c.json)
    std::cout << nlohmann::json{{"error", message}}.dump(2) << "\n";
  else
    std::cerr << "drctl aws: " << message << "\n";
  throw ExitCode{code};
}

// --endpoint-url and --profile, as every AWS client of these commands takes them.
dr::aws::AwsClientOptions client_options(const AwsCommon& c) {
  dr::aws::AwsClientOptions options;
  if (!c.endpoint_url.empty()) options.endpoint_url = c.endpoint_url;
  if (!c.profile.empty()) options.profile = c.profile;
  return options;
}

// The variables (the process environment, overlaid by --env-file) and the clients' options.
struct Configuration {
  aw::Getenv getenv;
  dr::aws::AwsClientOptions options;
};

// The file's AWS_ENDPOINT_URL and keys, as the function's own environment gives them to it (the
// lab's: `drctl lab env --function --out`); --endpoint-url still wins.
void apply_file_environment(const std::map<std::string, std::string>& vars,
                            dr::aws::AwsClientOptions& options) {
  auto at = [&](const char* name) -> std::string {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
  if (!options.endpoint_url && !at("AWS_ENDPOINT_URL").empty())
    options.endpoint_url = at("AWS_ENDPOINT_URL");
  if (!at("AWS_ACCESS_KEY_ID").empty() && !at("AWS_SECRET_ACCESS_KEY").empty())
    options.credentials = std::make_shared<dr::aws::StaticCredentialsProvider>(
        dr::aws::Credentials{at("AWS_ACCESS_KEY_ID"),
                             at("AWS_SECRET_ACCESS_KEY"),
                             at("AWS_SESSION_TOKEN"),
                             {},
                             "env-file"});
}

// The variables: the process environment, overlaid by --env-file, which is either a JSON object
// of name -> value or `terraform output -json` (its controller_environment output, and its
// route53_health_checks as DR_ROUTE53_HEALTH_CHECKS, which only `drctl aws status` reads).
Configuration configuration(const AwsCommon& c) {
  auto process = aw::process_environment();
  if (c.env_file.empty()) return {process, client_options(c)};
  std::ifstream in(c.env_file);
  if (!in) fail(c, kExitUsage, "--env-file " + c.env_file + ": cannot read it");
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  std::string health_checks;
  if (j.is_object() && j.contains("controller_environment")) {
    const auto checks = j.value("route53_health_checks", nlohmann::json::object())
                            .value("value", nlohmann::json::object());
    for (const auto& [name, id] : checks.items())
      if (id.is_string())
        health_checks += (health_checks.empty() ? "" : ",") + name + "=" + id.get<std::string>();
    j = j["controller_environment"].value("value", nlohmann::json());
  }
  if (!j.is_object())
    fail(c, kExitUsage,
         "--env-file " + c.env_file +
             ": expected a JSON object of variables, or `terraform output -json` with "
             "controller_environment");
  std::map<std::string, std::string> vars;
  for (const auto& [name, value] : j.items()) {
    if (!value.is_string())
      fail(c, kExitUsage, "--env-file " + c.env_file + ": " + name + " is not a string");
    vars[name] = value.get<std::string>();
  }
  if (!health_checks.empty() && !vars.contains("DR_ROUTE53_HEALTH_CHECKS"))
    vars["DR_ROUTE53_HEALTH_CHECKS"] = health_checks;
  Configuration out{[vars, process](const std::string& name) -> std::optional<std::string> {
                      if (auto it = vars.find(name); it != vars.end()) return it->second;
                      return process(name);
                    },
                    client_options(c)};
  apply_file_environment(vars, out.options);
  return out;
}

void run_status(const AwsCommon& c) {
  auto [getenv, options] = configuration(c);
  auto targets = aw::targets_from_env(getenv);
  if (!targets) fail(c, kExitUsage, targets.error());
  auto checks = aw::parse_health_checks(getenv("DR_ROUTE53_HEALTH_CHECKS").value_or(""));
  if (!checks) fail(c, kExitUsage, checks.error());
  auto clients = aw::shared_clients(options);
  auto status = aw::read_status(*targets, clients, std::chrono::system_clock::now(), *checks);

  // The controller's state and what it would decide now, as the Lambda would.
  nlohmann::json controller;
  std::string decision_line;
  const std::string table = getenv("DR_STATE_TABLE").value_or("");
  if (table.empty()) {
    controller["error"] = "DR_STATE_TABLE is not set: the controller's state is not shown";
  } else if (auto ddb = aw::client_for<dr::aws::DynamoDb>(clients, targets->secondary_region);
             !ddb) {
    controller["error"] = ddb.error().describe();
  } else {
    backends::ControllerStore store(**ddb, table);
    auto world = aw::AwsWorld::create(*targets, table, clients, aw::Pacing::real(),
                                      [](const std::string&) {});
    if (!world) {
      controller["error"] = world.error().describe();
    } else {
      controller::LoopOptions loop_options;
      loop_options.dry_run = true;
      loop_options.owner = "drctl-aws-status";
      controller::ControllerLoop loop(
          **world, store, loop_options, [] { return core::Clock::now(); },
          [](const std::string&) {});
      auto snapshot = loop.observe_with_guards();
      if (!snapshot) {
        controller["error"] = snapshot.error();
      } else {
        const core::Decision d = core::tick(*snapshot);
        controller["decision"] = {{"action", core::to_string(d.action)}, {"reason", d.reason}};
        controller["automatic_failover"] = snapshot->guards.automatic_failover_enabled;
        controller["unacknowledged_failover"] =
            snapshot->guards.unacknowledged_failover
                ? nlohmann::json(*snapshot->guards.unacknowledged_failover)
                : nlohmann::json();
        if (snapshot->runbook)
          controller["runbook"] = {{"id", snapshot->runbook->id},
                                   {"scenario", snapshot->runbook->scenario},
                                   {"next_step", snapshot->runbook->next_step},
                                   {"owned_by", snapshot->runbook->owned_by}};
        decision_line = core::to_string(d.action) + ": " + d.reason;
      }
    }
  }
  if (c.json) {
    auto out = aw::to_json(status);
    out["controller"] = controller;
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << aw::render(status);
  if (controller.contains("error")) {
    std::cout << "controller: " << controller["error"].get<std::string>() << "\n";
    return;
  }
  std::cout << "controller: automatic failover "
            << (controller["automatic_failover"].get<bool>() ? "on" : "off");
  if (!controller["unacknowledged_failover"].is_null())
    std::cout << ", failover " << controller["unacknowledged_failover"].get<std::string>()
              << " waits for `drctl ack`";
  if (controller.contains("runbook"))
    std::cout << ", runbook " << controller["runbook"]["id"].get<std::string>() << " at "
              << controller["runbook"]["next_step"].get<std::string>();
  std::cout << "\ncontroller would decide: " << decision_line << "\n";
}

// The controller's state store, all that ack and automatic-failover need: DR_STATE_TABLE in
// DR_SECONDARY_REGION (where the controller runs).
void with_store(
    const AwsCommon& c,
    const std::function<std::expected<void, std::string>(backends::ControllerStore&)>& act) {
  auto [getenv, options] = configuration(c);
  const std::string region = getenv("DR_SECONDARY_REGION").value_or("");
  const std::string table = getenv("DR_STATE_TABLE").value_or("");
  std::string missing;
  if (region.empty()) missing += "DR_SECONDARY_REGION";
  if (table.empty()) missing += std::string(missing.empty() ? "" : ", ") + "DR_STATE_TABLE";
  if (!missing.empty()) fail(c, kExitUsage, "missing environment variables: " + missing);
  auto ddb = aw::client_for<dr::aws::DynamoDb>(aw::shared_clients(options), region);
  if (!ddb) fail(c, kExitUsage, ddb.error().describe());
  backends::ControllerStore store(**ddb, table);
  if (auto r = act(store); !r) fail(c, kExitFailed, r.error());
}

enum class Move { kFailover, kSwitchover, kFailback };

// drctl aws failover | switchover | failback: the operator's move, as a plan run by the same loop
// the Lambda runs (src/controller), over the same AWS world. A switchover first checks the lag
// gate itself and refuses with nothing changed, as the lab's does; a runbook that stops part-way
// is left for the Lambda to resume on its next tick. A failback is a switchover to the home region
// (DR_PRIMARY_REGION): on AWS, Aurora itself brings the old primary cluster back into the global
// cluster as a secondary after a failover, so no rejoin of ours is needed, only that the cluster
// is a member again and caught up (the lag gate). With the writer at home it changes nothing, so
// running it twice is safe.
void run_move(const AwsCommon& c, std::string to, Move move, bool force) {
  const bool planned = move != Move::kFailover;
  auto [getenv, options] = configuration(c);
  auto targets = aw::targets_from_env(getenv);
  if (!targets) fail(c, kExitUsage, targets.error());
  const std::string table = getenv("DR_STATE_TABLE").value_or("");
  if (table.empty()) fail(c, kExitUsage, "missing environment variables: DR_STATE_TABLE");
  int capacity = 2;
  if (auto v = getenv("DR_FAILOVER_CAPACITY"); v && !v->empty()) {
    try {
      capacity = std::stoi(*v);
    } catch (const std::exception&) {
      fail(c, kExitUsage, "DR_FAILOVER_CAPACITY: '" + *v + "' is not a number");
    }
  }
  auto clients = aw::shared_clients(options);
  auto ddb = aw::client_for<dr::aws::DynamoDb>(clients, targets->secondary_region);
  if (!ddb) fail(c, kExitUsage, ddb.error().describe());
  backends::ControllerStore store(**ddb, table);
  auto log = [json = c.json](const std::string& line) {
    if (!json) std::cerr << line << "\n";
  };
  auto world = aw::AwsWorld::create(*targets, table, clients, aw::Pacing::real(), log);
  if (!world) fail(c, kExitFailed, world.error().describe());
  controller::LoopOptions loop_options;
  loop_options.owner = "drctl-" + std::to_string(::getpid());
  loop_options.standby_capacity = capacity;
  if (!c.events_file.empty())
    loop_options.events = [file = c.events_file](const nlohmann::json& e) {
      (void)backends::append_jsonl(file, e);
    };
  controller::ControllerLoop loop(
      **world, store, loop_options, [] { return core::Clock::now(); }, log);
  auto snap = loop.observe_with_guards();
  if (!snap) {
    if (move == Move::kFailback)
      fail(c, kExitFailed,
           snap.error() + "; a failback needs the old primary cluster back in the global cluster " +
               targets->global_cluster_id +
               " as a secondary (Aurora re-adds it after a failover once its region recovers; "
               "otherwise add it again) and in sync");
    fail(c, kExitFailed, snap.error());
  }
  if (move == Move::kFailback) {
    to = targets->primary_region;
    if (snap->topology.primary_region == to) {
      if (c.json)
        std::cout << nlohmann::json{{"writer", snap->topology.writer},
                                    {"region", to},
                                    {"changed", false}}
                         .dump(2)
                  << "\n";
      else
        std::cout << "the writer " << snap->topology.writer << " is already in " << to
                  << " (home): nothing to fail back; nothing was changed\n";
      return;
    }
  }
  // A cluster answers when its own region says it is available.
  auto answers = [&](const std::string& cluster) {
    for (const auto& r : targets->regions) {
      if (r.cluster_id() != cluster) continue;
      auto rds = aw::client_for<dr::aws::Rds>(clients, r.region);
      if (!rds) return false;
      auto out = (*rds)->describe_db_clusters({.db_cluster_identifier = cluster});
      return out && out->db_clusters.size() == 1 && out->db_clusters[0].status == "available";
    }
    return false;
  };
  const core::PlanOptions plan_options{loop.new_failover_id(move == Move::kFailover     ? "fo"
                                                            : move == Move::kSwitchover ? "so"
                                                                                        : "fb"),
                                       loop.standby_capacity(*snap)};
  auto plan = planned
                  ? controller::switchover_plan(*snap, to, plan_options)
                  : controller::failover_plan(*snap, to, force, answers, plan_options, "drctl aws");
  if (!plan) fail(c, kExitFailed, plan.error());
  if (planned) {
    // Aurora publishes the lag in the secondary cluster's own region: after a switchover that is
    // the home region, not DR_SECONDARY_REGION (where a failback found no datapoint).
    auto cw = aw::client_for<dr::aws::CloudWatch>(clients,
                                                  targets->lag_region(snap->topology.secondary_db));
    if (!cw) fail(c, kExitFailed, cw.error().describe());
    auto lag = aw::read_secondary_lag(**cw, snap->topology.secondary_db,
                                      std::chrono::system_clock::now(), targets->lag_window);
    if (!lag) fail(c, kExitFailed, "reading the replication lag: " + lag.error().describe());
    auto worst = lag->worst();
    if (!worst || worst->milliseconds > static_cast<double>(targets->lag_gate.count()))
      fail(c, kExitFailed,
           std::string(move == Move::kFailback ? "failback" : "switchover") +
               " refused, nothing changed: " + lag->describe() + " (the gate is " +
               std::to_string(targets->lag_gate.count()) + " ms)");
  }
  auto done = loop.run_plan(*plan);
  if (!done) fail(c, kExitFailed, done.error());
  if (c.json)
    std::cout << nlohmann::json{{"id", done->plan.id},
                                {"done", done->done},
                                {"region", to},
                                {"changed", true},
                                {"last_error", done->last_error}}
                     .dump(2)
              << "\n";
  if (!done->done)
    fail(c, kExitFailed,
         done->plan.id + " stopped: " + done->last_error +
             "; the controller Lambda resumes it on its next tick");
  if (!c.json) std::cout << done->plan.id << " done: the writer is in " << to << "\n";
}

void add_options(CLI::App* cmd, AwsCommon& common, bool json = true) {
  cmd->add_option("--env-file", common.env_file,
                  "the DR_* variables as a JSON object, or `terraform output -json` "
                  "(controller_environment); else the environment")
      ->check(CLI::ExistingFile);
  cmd->add_option("--endpoint-url", common.endpoint_url,
                  "send every AWS call here (as the AWS CLI's --endpoint-url)");
  cmd->add_option("--profile", common.profile, "the AWS profile (else AWS_PROFILE)");
  if (json) cmd->add_flag("--json", common.json, "print JSON for scripts");
}

// The moves' runbook events (runbook-start, each runbook-step with its times, runbook-done), as
// `drctl switchover` writes them to the lab's controller-events.jsonl.
void add_events_option(CLI::App* cmd, AwsCommon& common) {
  cmd->add_option("--events-file", common.events_file,
                  "append the runbook's events here, one JSON object per line");
}

}  // namespace

void register_aws_commands(CLI::App& app) {
  auto* aws = app.add_subcommand(
      "aws", "an AWS deployment as the controller sees it (configured like the Lambda: DR_*)");
  aws->require_subcommand(1);
  auto common = std::make_shared<AwsCommon>();
  auto* status = aws->add_subcommand(
      "status",
      "the global cluster and its members, replication lag, both regions' Auto Scaling groups "
      "and healthy targets, the Route 53 health checks (DR_ROUTE53_HEALTH_CHECKS: name=id,...), "
      "the controller's guards and runbook, and what it would decide now");
  add_options(status, *common);
  status->callback([common] { run_status(*common); });

  auto id = std::make_shared<std::string>();
  auto* ack = aws->add_subcommand(
      "ack", "acknowledge a failover on AWS, re-arming automatic failover (the state table)");
  ack->add_option("id", *id, "the failover id the controller reported")->required();
  add_options(ack, *common);
  ack->callback([common, id] {
    with_store(*common, [&](backends::ControllerStore& store) { return store.acknowledge(*id); });
    if (common->json)
      std::cout << nlohmann::json{{"acknowledged", *id}}.dump(2) << "\n";
    else
      std::cout << "acknowledged " << *id << "; automatic failover is armed again\n";
  });

  auto to = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto* so = aws->add_subcommand(
      "switchover", "planned move of the Aurora global writer (no data loss), behind the lag gate");
  so->add_option("--to", *to, "the region to move the writer to")->required();
  add_options(so, *common);
  add_events_option(so, *common);
  so->callback([common, to] { run_move(*common, *to, Move::kSwitchover, false); });
  auto* fo = aws->add_subcommand(
      "failover", "unplanned failover of the Aurora global writer (AllowDataLoss) now");
  fo->add_option("--to", *to, "the region to fail over to")->required();
  fo->add_flag("--force", *force, "even if the writer answers or a failover is unacknowledged");
  add_options(fo, *common);
  add_events_option(fo, *common);
  fo->callback([common, to, force] { run_move(*common, *to, Move::kFailover, *force); });
  auto* fb = aws->add_subcommand(
      "failback",
      "move the Aurora global writer back to its home region (DR_PRIMARY_REGION) with a "
      "switchover, no data loss, behind the lag gate; nothing to do when it is home");
  add_options(fb, *common);
  add_events_option(fb, *common);
  fb->callback([common] { run_move(*common, "", Move::kFailback, false); });

  auto onoff = std::make_shared<std::string>();
  auto* af = aws->add_subcommand("automatic-failover",
                                 "turn the AWS controller's automatic failover on or off");
  af->add_option("state", *onoff, "on | off")->required()->check(CLI::IsMember({"on", "off"}));
  add_options(af, *common);
  af->callback([common, onoff] {
    with_store(*common, [&](backends::ControllerStore& store) {
      return store.set_automatic_failover(*onoff == "on");
    });
    if (common->json)
      std::cout << nlohmann::json{{"automatic_failover", *onoff == "on"}}.dump(2) << "\n";
    else
      std::cout << "automatic failover " << *onoff << "\n";
  });
}

}  // namespace dr::cli
