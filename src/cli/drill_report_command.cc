// `drctl drill report`: recomputes a drill's JSON and HTML reports from its saved files (the
// operation history, the read-back, the events), so a verdict can be re-checked after the fact.
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "drill/history.h"
#include "drill/report.h"
#include "drill/report_html.h"
#include "drill/run_files.h"

namespace dr::drill {

namespace {

struct ReportArgs {
  std::string run;
  std::string scenario;
  std::string history;
  std::string readback;
  std::string events;
  std::string json_out;
  std::string html_out;
  double async_window_ms = 1000;
  bool enforce_rto = false;
};

CLI::App& drill_command(CLI::App& app) {
  for (auto* sub : app.get_subcommands([](CLI::App* s) { return s->get_name() == "drill"; }))
    return *sub;
  auto* drill = app.add_subcommand("drill", "run drills and compute their reports");
  drill->require_subcommand(1);
  return *drill;
}

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "drctl drill report: " << message << "\n";
  throw cli::ExitCode{2};
}

void write_reports(const ReportArgs& args, const DrillReport& report, const History& history) {
  if (!args.json_out.empty())
    if (auto w = write_new_file(args.json_out, report_json(report).dump(2) + "\n"); !w)
      fail(w.error());
  if (!args.html_out.empty())
    if (auto w = write_new_file(args.html_out, render_html(report, history)); !w) fail(w.error());
  std::cout << report_summary(report);
  // A broken promise is a failed drill, for scripts as much as for people.
  if (!report.passed) throw cli::ExitCode{1};
}

// Everything from the run's directory: the same inputs, options and header the drill used.
void run_saved(const ReportArgs& args) {
  auto run = load_run(args.run);
  if (!run) fail(run.error());
  auto report = report_of(*run);
  if (!report) fail(report.error());
  write_reports(args, *report, run->history);
}

void run_report(const ReportArgs& args) {
  if (!args.run.empty()) {
    if (!args.scenario.empty() || !args.history.empty() || !args.readback.empty() ||
        !args.events.empty())
      fail(
          "--run takes everything from the run's directory; drop --scenario, --history, "
          "--readback and --events");
    return run_saved(args);
  }
  if (args.scenario.empty() || args.history.empty() || args.readback.empty())
    fail("give --run <drill run directory>, or --scenario, --history and --readback");
  auto history = load_history(args.history);
  if (!history) {
    std::cerr << "drctl drill report: " << history.error() << "\n";
    throw cli::ExitCode{2};
  }
  auto readback = load_readback(args.readback);
  if (!readback) {
    std::cerr << "drctl drill report: " << readback.error() << "\n";
    throw cli::ExitCode{2};
  }
  DrillEvents events;
  if (!args.events.empty()) {
    std::ifstream in(args.events);
    auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    auto parsed =
        j.is_discarded() ? std::unexpected(args.events + ": not JSON") : events_from_json(j);
    if (!parsed) {
      std::cerr << "drctl drill report: " << parsed.error() << "\n";
      throw cli::ExitCode{2};
    }
    events = *parsed;
  }
  auto report = build_report(
      args.scenario, *history, *readback, events,
      {.async_window_ms = args.async_window_ms, .enforce_rto_target = args.enforce_rto});
  if (!report) fail(report.error());
  write_reports(args, *report, *history);
}

}  // namespace

void register_drill_report_commands(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = drill_command(app).add_subcommand(
      "report", "recompute a drill's reports from what the drill saved");
  cmd->add_option("--run", args->run,
                  "a drill's run directory (<lab>/drills/<run id>): recompute it from its files");
  cmd->add_option("--scenario", args->scenario, "the drill scenario (region-outage, ...)");
  cmd->add_option("--history", args->history, "the operation history (JSONL)");
  cmd->add_option("--readback", args->readback, "what was read back after recovery (JSON)");
  cmd->add_option("--events", args->events, "the fault and controller timestamps (JSON)");
  cmd->add_option("--json", args->json_out, "write the JSON report here (a new file)");
  cmd->add_option("--html", args->html_out, "write the HTML report here (a new file)");
  cmd->add_option("--async-window-ms", args->async_window_ms,
                  "how far before the fault lost writes are allowed (async replication)")
      ->capture_default_str();
  cmd->add_flag("--enforce-rto", args->enforce_rto, "make the scenario's RTO target a promise");
  cmd->callback([args] { run_report(*args); });
}

}  // namespace dr::drill
