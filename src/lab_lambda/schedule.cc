#include "lab_lambda/schedule.h"

#include <random>

#include "lab/wait.h"

namespace dr::lab_lambda {

ScheduleSummary run_schedule(LambdaEmulator& lambda, const ScheduleOptions& options) {
  ScheduleSummary summary;
  std::mt19937_64 random(std::random_device{}());
  const auto every = std::max(options.every, std::chrono::milliseconds(1));
  const auto first = std::chrono::steady_clock::now();
  int64_t tick = 0;
  auto stopped = [&] { return options.stop && options.stop(); };
  while ((options.count == 0 || summary.invocations < options.count) && !stopped()) {
    // Wait for this tick's time (the stop flag can end the wait early).
    const auto due = first + tick * every;
    const auto now = std::chrono::steady_clock::now();
    if (due > now) {
      (void)lab::wait_until(
          "the next scheduled tick", [&] { return stopped(); },
          {.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(due - now),
           .poll = std::chrono::milliseconds(20)});
      if (stopped()) break;
    }
    const auto event_id = uuid_v4(random);
    auto record =
        lambda.invoke(scheduled_event(event_id, std::chrono::system_clock::now(),
                                      lambda.spec().region, lambda.spec().account, options.rule));
    ++summary.invocations;
    if (record.outcome != Outcome::kSuccess) ++summary.failed;
    if (options.on_record) options.on_record(record);
    // The next tick is the first one still ahead: those that passed meanwhile are skipped.
    const auto elapsed = std::chrono::steady_clock::now() - first;
    const int64_t next = elapsed / every + 1;
    summary.skipped_ticks += static_cast<int>(std::max<int64_t>(0, next - tick - 1));
    tick = next;
  }
  return summary;
}

}  // namespace dr::lab_lambda
