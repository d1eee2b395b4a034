// The only event the controller accepts: an EventBridge scheduled event (infra/modules/lambda's
// rule). Anything else (not JSON, another shape, nesting deep enough to exhaust a stack, a huge
// body) is refused with a reason, which the runtime posts to /error: never a crash.
#pragma once

#include <expected>
#include <string>

namespace dr::lambda {

struct ScheduledEvent {
  std::string id;    // EventBridge's event id
  std::string time;  // when the schedule fired (ISO 8601, as EventBridge sends it)
};

inline constexpr size_t kMaxEventBytes = 256 * 1024;  // EventBridge's own event limit
inline constexpr int kMaxEventDepth = 16;

std::expected<ScheduledEvent, std::string> parse_scheduled_event(const std::string& body);

}  // namespace dr::lambda
