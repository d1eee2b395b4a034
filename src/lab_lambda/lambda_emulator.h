// The lab's Lambda: one function's execution environment, as AWS runs a custom runtime. It serves
// the Runtime API (runtime_api_server.h) on a us-west-2 address, runs the real `bootstrap` as an
// owned child with the environment Lambda sets (infra/modules/lambda's variables come from the
// caller), and invokes it synchronously, one event at a time (reserved concurrency 1):
//  - a cold start spawns bootstrap; it has `init_timeout` to post /init/error or call `next`;
//  - the deadline is the function's timeout from when `next` hands the event out;
//  - a timeout resets the environment (bootstrap killed), as Lambda does; so do an init error
//    and a crash (bootstrap exited mid-invocation): the next invocation starts a new one;
//  - every invocation is recorded (id, start, end, outcome, error) for reports.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "lab/error.h"
#include "lab/process.h"
#include "lab_lambda/runtime_api_server.h"

namespace dr::lab_lambda {

struct FunctionSpec {
  std::filesystem::path bootstrap;  // the executable Lambda runs (the zip's root `bootstrap`)
  std::string function_name = "dr-failover-controller";
  // The function's `handler` (Lambda's _HANDLER): "witness" runs the same bootstrap as the
  // witness (infra/modules/witness).
  std::string handler = "bootstrap";
  std::string region = "us-west-2";  // the controller lives in the secondary region
  std::string account = "123456789012";
  std::chrono::milliseconds timeout{55'000};       // infra/modules/lambda's default timeout_seconds
  std::chrono::milliseconds init_timeout{10'000};  // Lambda's limit on the init phase
  int memory_mb = 256;
  // The function's own variables (infra/modules/lambda's DR_* block, the endpoint, the keys
  // that stand in for the execution role). Names Lambda reserves are refused.
  std::vector<std::pair<std::string, std::string>> env;
  std::filesystem::path log_file;  // bootstrap's stdout and stderr (CloudWatch Logs' stand-in)
  std::string address;  // where the Runtime API listens; empty: the us-west-2 controller address
};

enum class Outcome {
  kSuccess,    // the runtime posted a response
  kError,      // it posted an invocation error
  kInitError,  // init failed (posted /init/error, or the executable could not start)
  kTimeout,    // the deadline (or the init limit) passed first; the environment was reset
  kCrashed,    // bootstrap exited before it answered
};
std::string_view to_string(Outcome outcome);

struct InvocationRecord {
  std::string request_id;
  int environment = 0;      // 1 for the first execution environment, +1 per re-init
  bool cold_start = false;  // this invocation started its environment
  int64_t start_ms = 0;     // Unix time: offered
  int64_t end_ms = 0;       // answered, or found failed
  int64_t deadline_ms = 0;  // 0 when it was never handed out
  Outcome outcome = Outcome::kSuccess;
  std::string error_type;  // e.g. Runtime.ExitError, Sandbox.Timedout, the runtime's own type
  std::string error_message;
  std::string response;  // the runtime's response (at most 4 KB kept)
  nlohmann::json to_json() const;
  // One JSON line; bytes that are not UTF-8 (a runtime's response is anything, and the 4 KB cut
  // can split a character) become U+FFFD instead of throwing.
  std::string to_json_line() const;
};

// Names Lambda sets itself and refuses in a function's configuration (the credentials are
// allowed here: they stand in for the execution role). Empty when `name` may be set.
std::string reserved_variable_problem(const std::string& name);

class LambdaEmulator {
 public:
  // Checks the spec and serves the Runtime API; bootstrap starts with the first invocation.
  static lab::Result<std::unique_ptr<LambdaEmulator>> start(FunctionSpec spec);
  ~LambdaEmulator();
  LambdaEmulator(const LambdaEmulator&) = delete;
  LambdaEmulator& operator=(const LambdaEmulator&) = delete;

  // One synchronous invocation with `event` as its payload. Always returns a record.
  InvocationRecord invoke(const std::string& event);

  std::string runtime_api() const { return server_.host_port(); }
  const FunctionSpec& spec() const { return spec_; }
  const std::vector<InvocationRecord>& records() const { return records_; }
  // bootstrap's PID while one runs (for tests and faults: kill it mid-invocation).
  std::optional<pid_t> bootstrap_pid();
  RuntimeView runtime_view() { return server_.view(); }
  // Stops bootstrap (by PID) and the Runtime API.
  void stop();

 private:
  explicit LambdaEmulator(FunctionSpec spec);
  lab::Result<void> start_environment();
  void reset_environment();
  std::string new_uuid();
  std::string new_trace_id();
  InvocationRecord finish(InvocationRecord record);

  FunctionSpec spec_;
  RuntimeApiServer server_;
  std::optional<lab::Process> process_;
  int environments_ = 0;
  std::mt19937_64 random_;
  std::vector<InvocationRecord> records_;
};

// A random version-4 UUID (Lambda's request ids, EventBridge's event ids).
std::string uuid_v4(std::mt19937_64& random);

// An EventBridge scheduled event (the shape src/lambda/event.cc parses), for `rule` in `region`.
std::string scheduled_event(const std::string& event_id, std::chrono::system_clock::time_point at,
                            const std::string& region, const std::string& account,
                            const std::string& rule);

}  // namespace dr::lab_lambda
