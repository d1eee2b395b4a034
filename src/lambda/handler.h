// One invocation per EventBridge tick. Inside it the handler runs the controller's tick every
// `tick_interval` until the deadline minus a margin, so detection waits seconds, not a minute
// (infra/ sets reserved concurrency 1: never two handlers at once). Logs: one JSON line per change
// of decision, with its reason, and one per invocation with the metrics (EMF).
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "lambda/emf.h"
#include "lambda/runtime_api.h"

namespace dr::lambda {

struct TickOutcome {
  std::string action;           // the decision ("none", "wait", "region-failover", ...)
  std::string reason;           // its one-line reason
  std::vector<Metric> metrics;  // probe results, step durations: summed up per invocation
};

// The controller's tick (src/lambda/main.cc wires ControllerLoop::tick). An error, or an
// exception, is a failed tick: logged, counted, and the next one runs on time.
using TickFn = std::function<std::expected<TickOutcome, std::string>()>;

struct HandlerOptions {
  std::chrono::milliseconds tick_interval{10000};
  std::chrono::milliseconds deadline_margin{5000};
  Dimensions dimensions;  // e.g. {{"Region", "us-west-2"}}
};

struct HandlerEnv {
  std::function<int64_t()> now_ms;                       // Unix time, milliseconds
  std::function<void(std::chrono::milliseconds)> sleep;  //
  std::function<void(const std::string& line)> emit;     // one JSON log line
};

class Handler {
 public:
  Handler(TickFn tick, HandlerOptions options, HandlerEnv env);

  // The response body, or what to post to /error (a malformed event, a deadline already past).
  std::expected<std::string, ErrorReport> handle(const Invocation& invocation);

 private:
  void log(nlohmann::json fields, const std::vector<Metric>& metrics = {});

  TickFn tick_;
  HandlerOptions options_;
  HandlerEnv env_;
  // Survives between invocations of a warm environment: only a change is logged.
  std::string last_decision_;
};

}  // namespace dr::lambda
