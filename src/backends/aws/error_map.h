// The one place an AWS client's error becomes a core::Error, so that every AWS port tells the
// runbook the same thing for the same failure (core/error.h says what each kind asks it to do).
#pragma once

#include <string>

#include "aws/error.h"
#include "core/error.h"

namespace dr::backends::aws_world {

// How a failed AWS call reads to the runbook:
// - not sent (connect/DNS failed)                         -> unreachable (nothing was done)
// - sent, answer lost; 5xx after retries; 2xx unparsable  -> outcome-unknown (re-read first)
// - throttled after retries                              -> unreachable (nothing was done)
// - any other answer no (4xx), credentials, bad input    -> refused
core::ErrorKind core_kind(const dr::aws::Error& error);

// `what` names the call ("FailoverGlobalCluster in us-west-2"); the message keeps the service's
// code and text.
core::Error to_core(const dr::aws::Error& error, const std::string& what);

}  // namespace dr::backends::aws_world
