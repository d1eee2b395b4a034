// How a drill client judges a response: a definite refusal (the write did not happen) is kept
// apart from a write whose outcome is unknown, because only acknowledged writes can be lost and
// only refusals can be trusted not to have been written.
#pragma once

#include <string>
#include <string_view>

#include "drill/operation.h"

namespace dr::drill {

struct Verdict {
  Outcome outcome = Outcome::kUnknown;
  std::string error;  // the body's "error" code when there is one
};

// dr-app's 503 codes that mean "not written": the app checked before writing (fenced), or the
// database refused or could not be reached before the statement ran. Any other 5xx (a proxy's
// 502/503/504, a 504 outcome_unknown, a 500) may have been written.
bool is_refusal_code(std::string_view error_code);

// A response that arrived: 2xx ok; 4xx failed; 503 with a refusal code failed; other 5xx unknown.
Verdict classify_response(int status, std::string_view body);

// No response. A connection that was never made carried no request (failed); anything after the
// request may have left (a reset, a read timeout) is unknown.
Verdict classify_no_response(bool request_may_have_been_sent, std::string transport_error);

}  // namespace dr::drill
