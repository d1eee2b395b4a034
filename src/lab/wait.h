// Waiting for a condition with a deadline: the only way the lab and its tests wait. Polling keeps
// it simple and works for conditions we cannot be notified about (a port opening, a server
// replying, a replica catching up).
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "lab/clock.h"
#include "lab/error.h"

namespace dr::lab {

struct WaitOptions {
  std::chrono::milliseconds timeout{10'000};
  std::chrono::milliseconds poll{10};
  Clock* clock = nullptr;  // nullptr: the steady clock
};

// Calls `condition` until it returns true or the timeout passes; the condition is always tried at
// least once, and once more at the deadline. The error names `what` and the time waited.
Result<void> wait_until(std::string_view what, const std::function<bool()>& condition,
                        WaitOptions options = {});

// As above, but the condition can fail for good (e.g. the process we wait for died): an error
// from it ends the wait at once.
Result<void> wait_until_or_fail(std::string_view what,
                                const std::function<Result<bool>()>& condition,
                                WaitOptions options = {});

}  // namespace dr::lab
