#include "lab/wait.h"

#include <algorithm>
#include <string>

namespace dr::lab {

Result<void> wait_until_or_fail(std::string_view what,
                                const std::function<Result<bool>()>& condition,
                                WaitOptions options) {
  Clock& clock = options.clock != nullptr ? *options.clock : steady_clock();
  const auto start = clock.now();
  const auto deadline = start + options.timeout;
  while (true) {
    auto ok = condition();
    if (!ok) return std::unexpected(ok.error());
    if (*ok) return {};
    const auto now = clock.now();
    if (now >= deadline) break;
    clock.sleep_for(std::min<Clock::Duration>(options.poll, deadline - now));
  }
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start).count();
  return fail(ErrorKind::kTimeout,
              std::string(what) + " (gave up after " + std::to_string(waited) + " ms)");
}

Result<void> wait_until(std::string_view what, const std::function<bool()>& condition,
                        WaitOptions options) {
  return wait_until_or_fail(
      what, [&]() -> Result<bool> { return condition(); }, options);
}

}  // namespace dr::lab
