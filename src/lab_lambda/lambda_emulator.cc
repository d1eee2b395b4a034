#include "lab_lambda/lambda_emulator.h"

#include <array>
#include <cstdio>
#include <ctime>

#include "lab/ports.h"
#include "lab/wait.h"

namespace dr::lab_lambda {

namespace {

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Variables Lambda sets for every function and refuses in its configuration ("Defined runtime
// environment variables"); AWS_ACCESS_KEY_ID and friends are left out on purpose (see the header).
constexpr std::array kReserved = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
};

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 256 || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

std::string hex(uint64_t value, int digits) {
  char buf[24];
  std::snprintf(
      buf, sizeof buf, "%0*llx", digits,
      static_cast<unsigned long long>(digits >= 16 ? value : value & ((1ULL << (4 * digits)) - 1)));
  return buf;
}

// Lambda's words for a runtime that exited: "exit status 1", "signal: killed".
std::string exit_text(std::optional<int> code) {
  if (!code) return "unknown exit";
  if (*code > 128) return "signal " + std::to_string(*code - 128);
  return "exit status " + std::to_string(*code);
}

}  // namespace

std::string uuid_v4(std::mt19937_64& random) {
  const uint64_t a = random(), b = random();
  return hex(a >> 32, 8) + "-" + hex(a >> 16, 4) + "-4" + hex(a, 3) + "-" +
         hex(0x8000 | ((b >> 48) & 0x3fff), 4) + "-" + hex(b, 12);
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kError:
      return "error";
    case Outcome::kInitError:
      return "init-error";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kCrashed:
      return "crashed";
  }
  return "unknown";
}

nlohmann::json InvocationRecord::to_json() const {
  nlohmann::json j{{"requestId", request_id},
                   {"environment", environment},
                   {"coldStart", cold_start},
                   {"startMs", start_ms},
                   {"endMs", end_ms},
                   {"durationMs", end_ms - start_ms},
                   {"outcome", std::string(to_string(outcome))}};
  if (deadline_ms != 0) j["deadlineMs"] = deadline_ms;
  if (!error_type.empty()) j["errorType"] = error_type;
  if (!error_message.empty()) j["errorMessage"] = error_message;
  if (outcome == Outcome::kSuccess) {
    auto parsed = nlohmann::json::parse(response, nullptr, /*allow_exceptions=*/false);
    j["response"] = parsed.is_discarded() ? nlohmann::json(response) : parsed;
  }
  return j;
}

std::string InvocationRecord::to_json_line() const {
  return to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string reserved_variable_problem(const std::string& name) {
  if (!valid_name(name)) return "'" + name + "' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)";
  for (const char* reserved : kReserved)
    if (name == reserved) return name + " is reserved: Lambda sets it";
  return {};
}

std::string scheduled_event(const std::string& event_id, std::chrono::system_clock::time_point at,
                            const std::string& region, const std::string& account,
                            const std::string& rule) {
  // EventBridge's scheduled event: https://docs.aws.amazon.com/eventbridge/latest/userguide/
  // eb-run-lambda-schedule.html (time in whole seconds, UTC).
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char time[32];
  std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return nlohmann::json{{"version", "0"},
                        {"id", event_id},
                        {"detail-type", "Scheduled Event"},
                        {"source", "aws.events"},
                        {"account", account},
                        {"time", time},
                        {"region", region},
                        {"resources", nlohmann::json::array({"arn:aws:events:" + region + ":" +
                                                             account + ":rule/" + rule})},
                        {"detail", nlohmann::json::object()}}
      .dump();
}

LambdaEmulator::LambdaEmulator(FunctionSpec spec)
    : spec_(std::move(spec)), random_(std::random_device{}()) {}

LambdaEmulator::~LambdaEmulator() {
  stop();
}

lab::Result<std::unique_ptr<LambdaEmulator>> LambdaEmulator::start(FunctionSpec spec) {
  if (spec.bootstrap.empty()) return lab::fail(lab::ErrorKind::kConfig, "no bootstrap given");
  if (spec.timeout <= std::chrono::milliseconds(0) || spec.timeout > std::chrono::minutes(15))
    return lab::fail(lab::ErrorKind::kConfig, "function timeout must be 1 ms .. 15 min");
  if (spec.init_timeout <= std::chrono::milliseconds(0))
    return lab::fail(lab::ErrorKind::kConfig, "init timeout must be positive");
  if (spec.function_name.empty() || spec.function_name.size() > 64 ||
      spec.function_name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_") != std::string::npos)
    return lab::fail(lab::ErrorKind::kConfig,
                     "function name '" + spec.function_name + "': 1-64 of [A-Za-z0-9-_]");
  // Lambda's own rule for a handler: 1-128 characters, no whitespace.
  if (spec.handler.empty() || spec.handler.size() > 128 ||
      spec.handler.find_first_of(" \t\r\n\v\f") != std::string::npos ||
      spec.handler.find('\0') != std::string::npos)
    return lab::fail(lab::ErrorKind::kConfig,
                     "handler '" + spec.handler + "': 1-128 characters without whitespace");
  for (const auto& [name, value] : spec.env) {
    if (auto problem = reserved_variable_problem(name); !problem.empty())
      return lab::fail(lab::ErrorKind::kConfig, problem);
    if (value.find('\0') != std::string::npos)
      return lab::fail(lab::ErrorKind::kConfig, name + ": a NUL byte in its value");
  }
  if (spec.address.empty()) {
    auto address = lab::lab_address(lab::Site::kUsWest2, lab::Component::kController);
    if (!address) return std::unexpected(address.error());
    spec.address = *address;
  }
  std::unique_ptr<LambdaEmulator> emulator(new LambdaEmulator(std::move(spec)));
  if (auto port = emulator->server_.start(emulator->spec_.address); !port)
    return std::unexpected(port.error());
  return emulator;
}

std::string LambdaEmulator::new_uuid() {
  // Version 4, as Lambda's request ids are.
  return uuid_v4(random_);
}

std::string LambdaEmulator::new_trace_id() {
  // X-Ray's trace header: Root=1-<epoch seconds, 8 hex>-<96 random bits>.
  const auto seconds = static_cast<uint64_t>(unix_ms() / 1000);
  return "Root=1-" + hex(seconds, 8) + "-" + hex(random_(), 16) + hex(random_(), 8) +
         ";Parent=" + hex(random_(), 16) + ";Sampled=0";
}

lab::Result<void> LambdaEmulator::start_environment() {
  reset_environment();
  server_.new_environment();
  ++environments_;
  const auto task_root = std::filesystem::absolute(spec_.bootstrap).parent_path().string();
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char day[16];
  std::strftime(day, sizeof day, "%Y/%m/%d", &tm);
  lab::SpawnOptions options;
  options.argv = {std::filesystem::absolute(spec_.bootstrap).string()};
  // Only what Lambda sets, then the function's own: nothing of the launching shell.
  options.clear_env = true;
  options.env = {
      {"AWS_LAMBDA_RUNTIME_API", server_.host_port()},
      {"_HANDLER", spec_.handler},
      {"AWS_LAMBDA_FUNCTION_NAME", spec_.function_name},
      {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(spec_.memory_mb)},
      {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
      {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + spec_.function_name},
      {"AWS_LAMBDA_LOG_STREAM_NAME",
       std::string(day) + "/[$LATEST]" + hex(random_(), 16) + hex(random_(), 16)},
      {"AWS_REGION", spec_.region},
      {"AWS_DEFAULT_REGION", spec_.region},
      {"LAMBDA_TASK_ROOT", task_root},
      {"LAMBDA_RUNTIME_DIR", task_root},
      {"LANG", "en_US.UTF-8"},
      {"TZ", ":UTC"},
      {"PATH", "/usr/local/bin:/usr/bin:/bin:/opt/bin"},
      {"LD_LIBRARY_PATH", task_root + ":" + task_root + "/lib:/opt/lib"},
  };
  for (const auto& var : spec_.env) options.env.push_back(var);
  options.working_dir = task_root;
  options.log_file = spec_.log_file;
  // bootstrap is in a process group of its own, so a kill of the emulator's group misses it, and
  // inside a long invocation it asks the Runtime API nothing that would tell it the emulator is
  // gone: without this it went on ticking the controller, and acting, for the rest of its
  // invocation (up to 15 min) after `drctl lab lambda run` was killed.
  options.die_with_parent = true;
  auto process = lab::Process::spawn(std::move(options));
  if (!process) return std::unexpected(process.error());
  process_.emplace(std::move(*process));
  return {};
}

void LambdaEmulator::reset_environment() {
  if (process_) (void)process_->kill();
  process_.reset();
}

std::optional<pid_t> LambdaEmulator::bootstrap_pid() {
  if (process_ && process_->running()) return process_->pid();
  return std::nullopt;
}

void LambdaEmulator::stop() {
  reset_environment();
  server_.stop();
}

InvocationRecord LambdaEmulator::finish(InvocationRecord record) {
  if (record.end_ms == 0) record.end_ms = unix_ms();
  if (record.response.size() > 4096) record.response.resize(4096);
  // Bounded: a schedule that runs for days keeps its latest records.
  if (records_.size() >= 10'000) records_.erase(records_.begin());
  records_.push_back(record);
  return record;
}

InvocationRecord LambdaEmulator::invoke(const std::string& event) {
  InvocationRecord record;
  record.request_id = new_uuid();
  record.start_ms = unix_ms();
  const std::string prefix = "RequestId: " + record.request_id + " Error: ";
  if (!process_ || !process_->running()) {
    record.cold_start = true;
    if (auto started = start_environment(); !started) {
      record.environment = environments_;
      record.outcome = Outcome::kInitError;
      record.error_type = "Runtime.InvalidEntrypoint";
      record.error_message = prefix + started.error().message;
      return finish(std::move(record));
    }
  }
  // A crash is an exit seen while waiting; its code is read once reaped.
  auto crashed = [&](InvocationRecord& r) {
    r.outcome = Outcome::kCrashed;
    r.error_type = "Runtime.ExitError";
    r.error_message = prefix + "Runtime exited with error: " + exit_text(process_->exit_code());
    reset_environment();
    return finish(std::move(r));
  };

  // 1. Until `next` hands it out: the init phase on a cold start; at once on a warm one.
  RuntimeView view;
  for (;;) {
    record.environment = environments_;
    server_.offer({record.request_id, event,
                   "arn:aws:lambda:" + spec_.region + ":" + spec_.account +
                       ":function:" + spec_.function_name,
                   new_trace_id(), spec_.timeout});
    (void)lab::wait_until("bootstrap to ask for the invocation",
                          [&] {
                            view = server_.view();
                            return view.handed_ms.has_value() || view.init_error.has_value() ||
                                   !process_->running();
                          },
                          {.timeout = spec_.init_timeout, .poll = std::chrono::milliseconds(2)});
    // Read again: the view was copied before the exit was seen, and a runtime posts its
    // init error (or takes the event) before it exits.
    view = server_.view();
    if (view.handed_ms || view.init_error || process_->running() || record.cold_start) break;
    // A warm runtime that exited after its last answer, before it took this event: Lambda
    // sends events only to a runtime waiting in `next`, so this one goes to a new environment.
    record.cold_start = true;
    if (auto started = start_environment(); !started) {
      record.environment = environments_;
      record.outcome = Outcome::kInitError;
      record.error_type = "Runtime.InvalidEntrypoint";
      record.error_message = prefix + started.error().message;
      return finish(std::move(record));
    }
  }
  if (view.init_error) {
    record.outcome = Outcome::kInitError;
    record.error_type = view.init_error->error_type;
    record.error_message = view.init_error->error_message;
    record.end_ms = view.init_error->received_ms;
    reset_environment();  // the runtime exits after /init/error; Lambda's next invoke re-inits
    return finish(std::move(record));
  }
  if (!view.handed_ms) {
    if (!process_->running()) {
      // Exited during init without a word: an init failure, with Lambda's type for an exit.
      record.outcome = Outcome::kInitError;
      record.error_type = "Runtime.ExitError";
      record.error_message = prefix +
                             "Runtime exited with error: " + exit_text(process_->exit_code()) +
                             " (during init)";
      reset_environment();
      return finish(std::move(record));
    }
    record.outcome = Outcome::kTimeout;
    record.error_type = "Sandbox.Timedout";
    record.error_message =
        prefix + "init did not finish within " + seconds_text(spec_.init_timeout) + " seconds";
    reset_environment();
    return finish(std::move(record));
  }
  record.deadline_ms = view.deadline_ms;

  // 2. Until it answers, exits, or its deadline passes.
  const auto left = std::chrono::milliseconds(std::max<int64_t>(0, view.deadline_ms - unix_ms()));
  (void)lab::wait_until("bootstrap to answer",
                        [&] {
                          view = server_.view();
                          return view.result.has_value() || !process_->running();
                        },
                        {.timeout = left, .poll = std::chrono::milliseconds(2)});
  view = server_.view();  // as above: a response posted just before the runtime exited counts
  if (view.result && view.result->received_ms <= view.deadline_ms) {
    record.end_ms = view.result->received_ms;
    if (view.result->kind == RuntimePost::Kind::kResponse) {
      record.outcome = Outcome::kSuccess;
      record.response = view.result->body;
    } else {
      record.outcome = Outcome::kError;
      record.error_type = view.result->error_type;
      record.error_message = view.result->error_message;
    }
    return finish(std::move(record));
  }
  if (!view.result && !process_->running()) return crashed(record);
  // Lambda stops a function at its timeout and resets the environment.
  record.outcome = Outcome::kTimeout;
  record.error_type = "Sandbox.Timedout";
  record.error_message =
      prefix + "Task timed out after " + seconds_text(spec_.timeout) + " seconds";
  reset_environment();
  return finish(std::move(record));
}

}  // namespace dr::lab_lambda
