#include "lambda/runtime.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "lambda/emf.h"

namespace dr::lambda {

namespace {

void log_error(const Emit& emit, const std::string& message) {
  emit(to_line({{"level", "ERROR"}, {"message", message}}));
}

}  // namespace

void emit_stdout(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

int run_runtime(RuntimeApi& api, Handler& handler, const Emit& emit) {
  int failures = 0;
  for (;;) {
    auto invocation = api.next();
    if (!invocation && !invocation.error().request_id.empty()) {
      // The Runtime API answered; this one invocation is unusable.
      log_error(emit, "refused invocation: " + invocation.error().message);
      auto posted = api.fail(invocation.error().request_id,
                             {"Runtime.InvalidInvocation", invocation.error().message});
      if (!posted) log_error(emit, "runtime api: " + posted.error().message);
      if (!posted && posted.error().fatal) return 1;
      continue;
    }
    if (!invocation) {
      log_error(emit, "runtime api: " + invocation.error().message);
      // The Runtime API is local to the environment: when it keeps failing, the environment is
      // gone, and spinning would only burn the invocation's time.
      if (invocation.error().fatal || ++failures >= 3) return 1;
      continue;
    }
    failures = 0;
    if (invocation->trace_id.empty()) {
      ::unsetenv("_X_AMZN_TRACE_ID");
    } else {
      ::setenv("_X_AMZN_TRACE_ID", invocation->trace_id.c_str(), 1);
    }
    std::expected<std::string, ErrorReport> result;
    try {
      result = handler.handle(*invocation);
    } catch (const std::exception& e) {
      result = std::unexpected(ErrorReport{"Runtime.Unknown", e.what()});
    }
    auto posted = result ? api.respond(invocation->request_id, *result)
                         : api.fail(invocation->request_id, result.error());
    if (!posted) {
      log_error(emit, "runtime api: " + posted.error().message);
      if (posted.error().fatal) return 1;
    }
  }
}

}  // namespace dr::lambda
