// The runtime's loop: next -> handle -> response or error, until the Runtime API says to stop
// (a 500) or cannot be reached. _X_AMZN_TRACE_ID is set from each invocation's trace header
// (X-Ray reads it from there).
#pragma once

#include <functional>
#include <string>

#include "lambda/handler.h"
#include "lambda/runtime_api.h"

namespace dr::lambda {

using Emit = std::function<void(const std::string& line)>;

// Returns the process exit code (non-zero: the environment is broken; Lambda starts another).
int run_runtime(RuntimeApi& api, Handler& handler, const Emit& emit);

// Writes one line to stdout and flushes (Lambda forwards stdout to CloudWatch Logs).
void emit_stdout(const std::string& line);

}  // namespace dr::lambda
