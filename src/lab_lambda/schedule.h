// EventBridge's part: a rate schedule that invokes the function with a scheduled event at each
// tick. Invocations never overlap (the function's reserved concurrency is 1): a tick that falls
// while one still runs is skipped, as Lambda would throttle it.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "lab_lambda/lambda_emulator.h"

namespace dr::lab_lambda {

struct ScheduleOptions {
  std::chrono::milliseconds every{60'000};  // rate(1 minute), infra's default
  int count = 0;                            // invocations to run; 0: until `stop` says so
  std::string rule = "dr-failover-controller-schedule";
  std::function<bool()> stop;  // polled between ticks; may be empty
  std::function<void(const InvocationRecord&)> on_record;
};

struct ScheduleSummary {
  int invocations = 0;
  int failed = 0;         // any outcome but success
  int skipped_ticks = 0;  // ticks that fell inside a running invocation
};

ScheduleSummary run_schedule(LambdaEmulator& lambda, const ScheduleOptions& options);

}  // namespace dr::lab_lambda
