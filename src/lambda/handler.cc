#include "lambda/handler.h"

#include <exception>
#include <map>

#include "lambda/event.h"

namespace dr::lambda {

Handler::Handler(TickFn tick, HandlerOptions options, HandlerEnv env)
    : tick_(std::move(tick)), options_(std::move(options)), env_(std::move(env)) {}

void Handler::log(nlohmann::json fields, const std::vector<Metric>& metrics) {
  env_.emit(to_line(emf_line(std::move(fields), options_.dimensions, metrics, env_.now_ms())));
}

std::expected<std::string, ErrorReport> Handler::handle(const Invocation& invocation) {
  auto event = parse_scheduled_event(invocation.body);
  if (!event) {
    log({{"level", "ERROR"},
         {"message", "refused event: " + event.error()},
         {"requestId", invocation.request_id}});
    return std::unexpected(ErrorReport{"Runtime.InvalidEvent", event.error()});
  }
  const int64_t margin = options_.deadline_margin.count();
  const int64_t interval = options_.tick_interval.count();
  int ticks = 0, failures = 0;
  Metric durations{"TickDuration", "Milliseconds", {}};
  std::map<std::string, Metric> summed;  // the tick's own metrics, all values kept
  for (;;) {
    const int64_t start = env_.now_ms();
    // A tick must end before Lambda's deadline: one that would start inside the margin waits for
    // the next invocation (the runbook it might have started is resumable anyway).
    if (start + margin >= invocation.deadline_ms) break;
    std::expected<TickOutcome, std::string> outcome;
    try {
      outcome = tick_();
    } catch (const std::exception& e) {
      outcome = std::unexpected(std::string("exception: ") + e.what());
    } catch (...) {
      outcome = std::unexpected(std::string("unknown exception"));
    }
    const int64_t end = env_.now_ms();
    ++ticks;
    durations.values.push_back(static_cast<double>(end - start));
    std::string decision;
    nlohmann::json fields{{"level", "INFO"}, {"requestId", invocation.request_id}};
    if (outcome) {
      decision = outcome->action + ": " + outcome->reason;
      fields["message"] = "decision " + decision;
      fields["action"] = outcome->action;
      fields["reason"] = outcome->reason;
      for (auto& m : outcome->metrics) {
        auto& into = summed.try_emplace(m.name, Metric{m.name, m.unit, {}}).first->second;
        into.values.insert(into.values.end(), m.values.begin(), m.values.end());
      }
    } else {
      ++failures;
      decision = "tick failed: " + outcome.error();
      fields["level"] = "ERROR";
      fields["message"] = decision;
    }
    if (decision != last_decision_) {
      last_decision_ = decision;
      log(std::move(fields), {{"DecisionChanges", "Count", {1}}});
    }
    const int64_t next = start + interval;
    if (next + margin >= invocation.deadline_ms) break;
    const int64_t now = env_.now_ms();
    if (next > now) env_.sleep(std::chrono::milliseconds(next - now));
  }
  std::vector<Metric> metrics{{"Ticks", "Count", {static_cast<double>(ticks)}},
                              {"TickFailures", "Count", {static_cast<double>(failures)}},
                              durations};
  for (auto& [name, m] : summed) metrics.push_back(std::move(m));
  log({{"level", "INFO"},
       {"message", "invocation done: " + std::to_string(ticks) + " ticks"},
       {"requestId", invocation.request_id},
       {"eventId", event->id}},
      metrics);
  return nlohmann::json{{"ticks", ticks},
                        {"failures", failures},
                        {"decision", last_decision_},
                        {"eventId", event->id}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace dr::lambda
