// The AWS SDKs' "standard" retry mode: up to 3 attempts; throttling, transient (5xx) and
// connection errors retried with exponential backoff and full jitter (min(rand * 2^(n-1), 20 s));
// a client-wide retry quota (token bucket of 500; 5 per retry, 10 per timeout retry, refunded on
// success) so a failing dependency is not hammered by every caller at once.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

#include "aws/error.h"

namespace dr::aws {

struct RetryOptions {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{1000};  // multiplied by 2^(attempt-1) and a random [0,1)
  std::chrono::milliseconds max_backoff{20000};
  int initial_quota = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int no_retry_increment = 1;
};

bool is_throttling(const Error& error);
bool is_transient(const Error& error);
bool is_retryable(const Error& error);

class RetryQuota {
 public:
  explicit RetryQuota(const RetryOptions& options);
  // Takes tokens for a retry of `error`; returns the amount taken, or 0 when the quota is empty.
  int acquire(const Error& error);
  // A request succeeded: refund what its retries took, or add a little when none were needed.
  void release(int acquired);
  int available() const;

 private:
  RetryOptions options_;
  mutable std::mutex mu_;
  int tokens_;
};

struct RetryHooks {
  std::function<double()> random;                        // [0, 1)
  std::function<void(std::chrono::milliseconds)> sleep;  // injected so tests do not wait
};
RetryHooks default_retry_hooks();

// Runs `attempt` until it succeeds, fails with a non-retryable error, runs out of attempts or
// the quota is empty. Each attempt's number (1-based) is passed in.
template <class T>
Result<T> with_retries(const RetryOptions& options, RetryQuota& quota, const RetryHooks& hooks,
                       const std::function<Result<T>(int attempt)>& attempt);

std::chrono::milliseconds backoff_delay(const RetryOptions& options, int attempt, double random);

}  // namespace dr::aws

#include "aws/retry_inl.h"
