#pragma once
// Template body of with_retries (kept out of retry.h so the contract reads on its own).

namespace dr::aws {

template <class T>
Result<T> with_retries(const RetryOptions& options, RetryQuota& quota, const RetryHooks& hooks,
                       const std::function<Result<T>(int attempt)>& attempt) {
  int acquired = 0;
  for (int n = 1;; ++n) {
    Result<T> result = attempt(n);
    if (result) {
      quota.release(acquired);
      return result;
    }
    if (n >= options.max_attempts || !is_retryable(result.error())) return result;
    int cost = quota.acquire(result.error());
    if (cost == 0) return result;  // quota exhausted: fail fast
    acquired += cost;
    hooks.sleep(backoff_delay(options, n, hooks.random()));
  }
}

}  // namespace dr::aws
