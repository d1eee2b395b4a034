// bootstrap: the controller as a Lambda custom runtime (provided.al2023). Reads the
// configuration (a bad one posts /init/error naming the variable and exits non-zero), builds the
// state store and the world, and serves invocations: each one ticks the controller until its
// deadline minus a margin.
#include <unistd.h>

#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "aws/credential_chain.h"
#include "aws/dynamodb.h"
#include "aws/endpoint_config.h"
#include "backends/controller_store.h"
#include "lambda/config.h"
#include "lambda/controller_tick.h"
#include "lambda/emf.h"
#include "lambda/handler.h"
#include "lambda/runtime.h"
#include "lambda/runtime_api.h"
#include "lambda/witness_tick.h"
#include "lambda/world_factory.h"

namespace {

using namespace dr;

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Logs it, posts it to /init/error when the Runtime API is known, and gives the exit code.
int init_failed(const std::optional<std::string>& runtime_api, const lambda::ErrorReport& error) {
  lambda::emit_stdout(lambda::to_line({{"level", "ERROR"},
                                       {"message", "init failed: " + error.message},
                                       {"errorType", error.type}}));
  if (runtime_api) {
    auto api = lambda::RuntimeApi::with_default_transport(*runtime_api);
    if (auto posted = api.init_error(error); !posted)
      lambda::emit_stdout(lambda::to_line(
          {{"level", "ERROR"}, {"message", "runtime api: " + posted.error().message}}));
  }
  return 1;
}

// What the glibc shims (glibc_compat.cc) stand in for: an exception unwinding through frames
// (_dl_find_object) and std::random_device (arc4random). scripts/package.py runs it on the
// packaged bootstrap.
[[gnu::noinline]] void throw_through(int depth) {
  if (depth == 0) throw std::runtime_error("unwound");
  throw_through(depth - 1);
}

int self_test() {
  try {
    throw_through(3);
  } catch (const std::runtime_error& e) {
    std::random_device random;
    (void)random();
    lambda::emit_stdout(lambda::to_line({{"selfTest", "ok"}, {"exception", e.what()}}));
    return 0;
  }
  return 1;
}

// Where an init error can be posted: not to a malformed AWS_LAMBDA_RUNTIME_API.
std::optional<std::string> runtime_api_for(const lambda::ConfigError& error) {
  return error.variable == "AWS_LAMBDA_RUNTIME_API" ? std::nullopt
                                                    : lambda::process_env("AWS_LAMBDA_RUNTIME_API");
}

// Serves invocations from the Runtime API at `runtime_api`, each ticking `tick` until its
// deadline minus the margin (the controller's and the witness's one way to run).
int serve(const std::string& runtime_api, lambda::TickFn tick, lambda::HandlerOptions options) {
  lambda::Handler handler(
      std::move(tick), std::move(options),
      {unix_ms, [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); },
       lambda::emit_stdout});
  auto api = lambda::RuntimeApi::with_default_transport(runtime_api);
  return lambda::run_runtime(api, handler, lambda::emit_stdout);
}

// The witness (handler "witness", a third region): a round per tick, its vote written into the
// controller's state table (src/lambda/witness_tick.h, backends/aws/aws_witness.h).
int run_witness() {
  auto config = lambda::parse_witness_config(lambda::process_env);
  if (!config)
    return init_failed(runtime_api_for(config.error()),
                       {"Runtime.ConfigInvalid", config.error().describe()});
  auto witness = lambda::make_witness(*config);
  if (!witness)
    return init_failed(config->runtime_api, {"Runtime.WitnessUnavailable", witness.error()});
  return serve(config->runtime_api,
               lambda::witness_tick([&witness] { return (*witness)->round(); }),
               {config->tick_interval,
                config->deadline_margin,
                {{"Region", config->witness_region}, {"Role", "witness"}}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--self-test") return self_test();
  // One zip, two functions: the function's `handler` (Lambda's _HANDLER) says which.
  auto role = lambda::parse_role(lambda::process_env);
  if (!role)
    return init_failed(lambda::process_env("AWS_LAMBDA_RUNTIME_API"),
                       {"Runtime.ConfigInvalid", role.error().describe()});
  if (*role == lambda::Role::kWitness) return run_witness();
  auto config = lambda::parse_config(lambda::process_env);
  if (!config)
    return init_failed(runtime_api_for(config.error()),
                       {"Runtime.ConfigInvalid", config.error().describe()});
  // The AWS CLI's endpoint overrides (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL), as every
  // other client of the controller resolves them.
  auto endpoint = aws::resolve_endpoint_url(aws::DynamoDb::service());
  if (!endpoint)
    return init_failed(config->runtime_api, {"Runtime.ConfigInvalid", endpoint.error().message});

  aws::ClientConfig ddb_config;
  ddb_config.region = config->secondary_region;  // the state lives where the controller runs
  ddb_config.endpoint_url = *endpoint;
  ddb_config.credentials = aws::make_default_credentials_chain();
  aws::DynamoDb ddb(ddb_config);
  backends::ControllerStore store(ddb, config->state_table);

  auto world = lambda::default_world_factory()(*config);
  if (!world) return init_failed(config->runtime_api, {"Runtime.WorldUnavailable", world.error()});

  controller::LoopOptions options;
  options.standby_capacity = config->failover_capacity;
  // One owner per execution environment: its log stream is unique to it.
  auto stream = lambda::process_env("AWS_LAMBDA_LOG_STREAM_NAME");
  options.owner = "lambda-" + (stream ? *stream : std::to_string(::getpid()));
  options.heartbeat = config->heartbeat;
  // The loop's events (decision, runbook-start, runbook-step with its times, runbook-done) as
  // structured log lines: CloudWatch Logs keeps them as fields (Logs Insights: `filter event =
  // "runbook-step"`), and the lab's drills split RTO from them as they would from the logs.
  options.events = [](const nlohmann::json& e) {
    nlohmann::json line = e;
    line["level"] = "INFO";
    line["message"] = "controller event " + e.value("event", std::string("?"));
    lambda::emit_stdout(lambda::to_line(line));
  };
  lambda::ControllerTick tick(**world, store, std::move(options), [](const std::string& line) {
    // The handler logs each decision change itself, with its metrics; the loop's other lines
    // (runbook steps, outcomes) go out as they are.
    if (line.starts_with("decision ")) return;
    lambda::emit_stdout(lambda::to_line({{"level", "INFO"}, {"message", line}}));
  });

  return serve(
      config->runtime_api, [&tick] { return tick(); },
      {config->tick_interval, config->deadline_margin, {{"Region", config->secondary_region}}});
}
