#include "drill/classify.h"

#include <nlohmann/json.hpp>

#include <array>

namespace dr::drill {

namespace {

std::string error_code_of(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("error") && j["error"].is_string())
    return j["error"].get<std::string>();
  return "";
}

}  // namespace

bool is_refusal_code(std::string_view error_code) {
  // sessions_disabled / dynamodb_unavailable: the app answers them before or instead of a write
  // reaching DynamoDB (an unknown DynamoDB outcome is a 504 outcome_unknown).
  static constexpr std::array<std::string_view, 5> kRefusals = {
      "read_only", "fenced", "database_unavailable", "dynamodb_unavailable", "sessions_disabled"};
  for (auto code : kRefusals)
    if (code == error_code) return true;
  return false;
}

Verdict classify_response(int status, std::string_view body) {
  if (status >= 200 && status < 300) return {Outcome::kOk, ""};
  std::string code = error_code_of(body);
  if (code.empty()) code = "http_" + std::to_string(status);
  if (status >= 400 && status < 500) return {Outcome::kFailed, code};
  if (status == 503 && is_refusal_code(code)) return {Outcome::kFailed, code};
  return {Outcome::kUnknown, code};
}

Verdict classify_no_response(bool request_may_have_been_sent, std::string transport_error) {
  return {request_may_have_been_sent ? Outcome::kUnknown : Outcome::kFailed,
          std::move(transport_error)};
}

}  // namespace dr::drill
