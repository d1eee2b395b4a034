// drctl lab lambda run: the lab's Lambda in the foreground. The real `bootstrap` runs behind the
// lab's Runtime API and is invoked on a schedule with EventBridge's scheduled events, against
// whatever AWS-shaped endpoint its env file names (the lab's: AWS_ENDPOINT_URL from
// `drctl lab env --json`). One line per invocation (JSON Lines with --json).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "lab_lambda/lambda_emulator.h"
#include "lab_lambda/schedule.h"

namespace dr::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::atomic<bool> g_lambda_stop{false};
extern "C" void on_lambda_signal(int) {
  g_lambda_stop = true;
}

[[noreturn]] void usage_error(bool as_json, const std::string& message) {
  if (as_json) std::cout << json{{"error", message}}.dump() << "\n";
  std::cerr << "drctl lab lambda run: " << message << "\n";
  throw ExitCode{kExitUsage};
}

// "1s", "500ms", "2m": a positive whole number and a unit.
std::expected<std::chrono::milliseconds, std::string> parse_duration(const std::string& text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  const std::string unit(end, text.data() + text.size());
  if (ec != std::errc() || end == text.data() || n <= 0 || n > 86'400'000)
    return std::unexpected("'" + text + "' is not a duration (e.g. 500ms, 1s, 2m)");
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s" && n <= 86'400) return std::chrono::milliseconds(n * 1000);
  if (unit == "m" && n <= 1440) return std::chrono::milliseconds(n * 60'000);
  return std::unexpected("'" + text + "' is not a duration (e.g. 500ms, 1s, 2m)");
}

// The function's variables: a JSON object of strings, as the Lambda console and infra's
// `environment { variables = ... }` hold them.
std::expected<std::vector<std::pair<std::string, std::string>>, std::string> read_env_file(
    const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::unexpected("cannot read env file " + path.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > 64 * 1024)
    return std::unexpected(path.string() + ": over 64 KB (Lambda allows 4 KB of variables)");
  auto j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return std::unexpected(path.string() + ": not a JSON object of \"NAME\": \"value\"");
  std::vector<std::pair<std::string, std::string>> vars;
  for (const auto& [name, value] : j.items()) {
    if (!value.is_string())
      return std::unexpected(path.string() + ": " + name + " is not a string");
    if (auto problem = lab_lambda::reserved_variable_problem(name); !problem.empty())
      return std::unexpected(path.string() + ": " + problem);
    vars.emplace_back(name, value.get<std::string>());
  }
  return vars;
}

fs::path self_dir() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path(".") : p.parent_path();
}

struct RunFlags {
  std::string env_file;
  std::string every = "1m";
  int count = 0;
  std::string timeout = "55s";
  std::string bootstrap;
  std::string log_file;
  std::string function_name = "dr-failover-controller";
  bool as_json = false;
};

void run_lambda(const RunFlags& f) {
  auto every = parse_duration(f.every);
  if (!every) usage_error(f.as_json, "--every: " + every.error());
  auto timeout = parse_duration(f.timeout);
  if (!timeout) usage_error(f.as_json, "--timeout: " + timeout.error());
  auto vars = read_env_file(f.env_file);
  if (!vars) usage_error(f.as_json, vars.error());
  const fs::path bootstrap = find_bootstrap(f.bootstrap);
  if (bootstrap.empty() || ::access(bootstrap.c_str(), X_OK) != 0)
    usage_error(f.as_json, "no executable bootstrap" +
                               (bootstrap.empty() ? std::string() : " at " + bootstrap.string()) +
                               " (give --bootstrap)");

  lab_lambda::FunctionSpec spec;
  spec.bootstrap = bootstrap;
  spec.function_name = f.function_name;
  spec.timeout = *timeout;
  spec.env = std::move(*vars);
  for (const auto& [name, value] : spec.env)
    if (name == "DR_SECONDARY_REGION") spec.region = value;
  spec.log_file = f.log_file.empty() ? fs::temp_directory_path() /
                                           ("drctl-lambda-" + std::to_string(::getpid()) + ".log")
                                     : fs::path(f.log_file);
  auto lambda = lab_lambda::LambdaEmulator::start(std::move(spec));
  if (!lambda) usage_error(f.as_json, lambda.error().message);
  if (!f.as_json)
    std::cout << "Runtime API on " << (*lambda)->runtime_api() << ", bootstrap "
              << bootstrap.string() << ", its log " << (*lambda)->spec().log_file.string()
              << std::endl;

  // The first Ctrl-C ends the schedule after the invocation in flight (its record is printed);
  // a second one is the default action, at once (bootstrap, in its own process group, then
  // finds the Runtime API gone and exits).
  if (!f.as_json)
    std::cout << "Ctrl-C stops after the invocation in flight; twice stops at once" << std::endl;
  struct sigaction sa {};
  sa.sa_handler = on_lambda_signal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  lab_lambda::ScheduleOptions options;
  options.every = *every;
  options.count = f.count;
  options.stop = [] { return g_lambda_stop.load(); };
  options.on_record = [&](const lab_lambda::InvocationRecord& r) {
    if (f.as_json) {
      std::cout << r.to_json_line() << std::endl;
      return;
    }
    std::cout << r.request_id << " env " << r.environment << (r.cold_start ? " (cold)" : "") << " "
              << to_string(r.outcome) << " in " << (r.end_ms - r.start_ms) << " ms";
    if (!r.error_type.empty()) std::cout << ": " << r.error_type << ": " << r.error_message;
    std::cout << std::endl;
  };
  auto summary = lab_lambda::run_schedule(**lambda, options);
  (*lambda)->stop();
  if (f.as_json) {
    std::cout << json{{"summary",
                       {{"invocations", summary.invocations},
                        {"failed", summary.failed},
                        {"skippedTicks", summary.skipped_ticks}}}}
                     .dump()
              << std::endl;
  } else {
    std::cout << summary.invocations << " invocations, " << summary.failed << " failed, "
              << summary.skipped_ticks << " ticks skipped (an invocation still ran)" << std::endl;
  }
  if (summary.failed > 0) throw ExitCode{kExitFailed};
}

}  // namespace

// --bootstrap, else next to drctl, else the build tree's src/lambda/.
std::filesystem::path find_bootstrap(const std::string& flag) {
  if (!flag.empty()) return std::filesystem::absolute(flag);
  const std::filesystem::path dir = self_dir();
  // Executable: a bootstrap that cannot run would make `--controller auto` pick a Lambda that
  // never settles, where the lab controller was at hand.
  for (const auto& candidate : {dir / "bootstrap", dir.parent_path() / "lambda" / "bootstrap"})
    if (std::filesystem::is_regular_file(candidate) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  return {};
}

void register_lab_lambda_commands(CLI::App& app) {
  auto* lab = app.get_subcommand("lab");
  auto* lambda = lab->add_subcommand(
      "lambda", "the lab's Lambda: the Runtime API and a schedule around the real bootstrap");
  lambda->require_subcommand(1);
  auto f = std::make_shared<RunFlags>();
  auto* run = lambda->add_subcommand(
      "run",
      "run bootstrap behind the lab's Runtime API in the foreground, invoked with EventBridge "
      "scheduled events; exits 1 when an invocation failed");
  run->add_option("--env-file", f->env_file,
                  "the function's variables: a JSON object {\"NAME\": \"value\"} (infra's DR_* "
                  "block, AWS_ENDPOINT_URL, the keys)")
      ->required();
  run->add_option("--every", f->every, "schedule rate: 500ms, 1s, 1m")->capture_default_str();
  run->add_option("--count", f->count, "invocations to run (0: until interrupted)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1'000'000));
  run->add_option("--timeout", f->timeout, "the function's timeout (each invocation's deadline)")
      ->capture_default_str();
  run->add_option("--bootstrap", f->bootstrap,
                  "the bootstrap executable (default: next to drctl, or the build tree's)");
  run->add_option("--log-file", f->log_file,
                  "bootstrap's output (default: $TMPDIR/drctl-lambda-<pid>.log)");
  run->add_option("--function-name", f->function_name, "AWS_LAMBDA_FUNCTION_NAME")
      ->capture_default_str();
  run->add_flag("--json", f->as_json, "one JSON object per invocation, then a summary");
  run->callback([f] { run_lambda(*f); });
}

}  // namespace dr::cli
