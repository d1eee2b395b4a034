#include "aws/retry.h"

#include <algorithm>
#include <array>
#include <random>
#include <string_view>
#include <thread>

namespace dr::aws {

namespace {
// The codes botocore's standard mode treats as throttling and as transient.
constexpr std::array<std::string_view, 14> kThrottlingCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};
constexpr std::array<std::string_view, 4> kTransientCodes = {
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalError"};

template <class A>
bool contains(const A& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}
}  // namespace

bool is_throttling(const Error& e) {
  return e.kind == ErrorKind::kServiceError &&
         (contains(kThrottlingCodes, e.code) || e.http_status == 429);
}

bool is_transient(const Error& e) {
  switch (e.kind) {
    case ErrorKind::kNotSent:
    case ErrorKind::kOutcomeUnknown:
      return true;
    case ErrorKind::kServiceError:
      return contains(kTransientCodes, e.code) || e.http_status == 500 || e.http_status == 502 ||
             e.http_status == 503 || e.http_status == 504;
    case ErrorKind::kParseError:
    case ErrorKind::kCredentials:
    case ErrorKind::kInvalidArgument:
      return false;
  }
  return false;
}

bool is_retryable(const Error& e) {
  return is_throttling(e) || is_transient(e);
}

RetryQuota::RetryQuota(const RetryOptions& options)
    : options_(options), tokens_(options.initial_quota) {}

int RetryQuota::acquire(const Error& e) {
  int cost =
      e.kind == ErrorKind::kOutcomeUnknown ? options_.timeout_retry_cost : options_.retry_cost;
  std::lock_guard lock(mu_);
  if (tokens_ < cost) return 0;
  tokens_ -= cost;
  return cost;
}

void RetryQuota::release(int acquired) {
  std::lock_guard lock(mu_);
  tokens_ += acquired > 0 ? acquired : options_.no_retry_increment;
  tokens_ = std::min(tokens_, options_.initial_quota);
}

int RetryQuota::available() const {
  std::lock_guard lock(mu_);
  return tokens_;
}

std::chrono::milliseconds backoff_delay(const RetryOptions& o, int attempt, double random) {
  double factor = static_cast<double>(1LL << std::clamp(attempt - 1, 0, 30));
  double ms = random * static_cast<double>(o.base_delay.count()) * factor;
  return std::min(std::chrono::milliseconds(static_cast<long long>(ms)), o.max_backoff);
}

RetryHooks default_retry_hooks() {
  return {
      [] {
        thread_local std::mt19937_64 rng{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      },
      [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); },
  };
}

}  // namespace dr::aws
